"""DCAT-AP 2 for harvesters (ckanext-dcat's URLs: ``/catalog.ttl|.xml|.jsonld``, ``/dataset/<name>.ttl|…``),
built with rdflib and serialised as Turtle, RDF/XML or JSON-LD."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from smartcity.opendata.ckan.serialize import download_url
from smartcity.opendata.models import Dataset

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
FREQ = Namespace("http://publications.europa.eu/resource/authority/frequency/")
FILETYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
LICENCES = {"cc-by-4.0": "https://creativecommons.org/licenses/by/4.0/",
            "cc-zero": "https://creativecommons.org/publicdomain/zero/1.0/",
            "odc-by": "https://opendatacommons.org/licenses/by/1-0/"}
FORMATS = {"csv": ("text/csv", "CSV"), "json": ("application/json", "JSON"),
           "geojson": ("application/geo+json", "GEOJSON"), "xlsx": (
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX")}
SERIALISATIONS = {"ttl": ("turtle", "text/turtle"), "xml": ("xml", "application/rdf+xml"),
                  "jsonld": ("json-ld", "application/ld+json"), "rdf": ("xml", "application/rdf+xml")}


def _graph() -> Graph:
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("vcard", VCARD), ("adms", ADMS)):
        g.bind(prefix, ns)
    return g


def dataset_uri(base: str, ds: Dataset) -> URIRef:
    return URIRef(base + reverse("opendata:dataset", args=[ds.name]))


def add_dataset(g: Graph, base: str, ds: Dataset) -> URIRef:
    node = dataset_uri(base, ds)
    g.add((node, RDF.type, DCAT.Dataset))
    g.add((node, DCTERMS.identifier, Literal(str(ds.uuid))))
    g.add((node, DCTERMS.title, Literal(ds.title, lang="vi")))
    g.add((node, DCTERMS.description, Literal(ds.notes or ds.title, lang="vi")))
    g.add((node, DCTERMS.issued, Literal(ds.created_at.isoformat(), datatype=XSD.dateTime)))
    g.add((node, DCTERMS.modified, Literal(ds.modified_at.isoformat(), datatype=XSD.dateTime)))
    g.add((node, DCAT.landingPage, node))
    g.add((node, DCTERMS.accrualPeriodicity, FREQ[ds.frequency]))
    publisher = URIRef(base + reverse("opendata:index") + f"?organization={ds.organization.name}")
    g.add((node, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Organization))
    g.add((publisher, FOAF.name, Literal(ds.organization.title, lang="vi")))
    contact = BNode()
    g.add((node, DCAT.contactPoint, contact))
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal(ds.organization.title, lang="vi")))
    for tag in ds.tags.all():
        g.add((node, DCAT.keyword, Literal(tag.name, lang="vi")))
    for group in ds.groups.all():
        g.add((node, DCAT.theme, URIRef(base + reverse("opendata:index") + f"?groups={group.name}")))
    if ds.temporal_start or ds.temporal_end:
        period = BNode()
        g.add((node, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if ds.temporal_start:
            g.add((period, DCAT.startDate, Literal(ds.temporal_start.isoformat(), datatype=XSD.date)))
        if ds.temporal_end:
            g.add((period, DCAT.endDate, Literal(ds.temporal_end.isoformat(), datatype=XSD.date)))
    if ds.spatial:
        place = BNode()
        g.add((node, DCTERMS.spatial, place))
        g.add((place, RDF.type, DCTERMS.Location))
        g.add((place, DCTERMS.identifier, Literal(ds.spatial.key)))
        g.add((place, FOAF.name, Literal(ds.spatial.name, lang="vi")))
    licence = URIRef(LICENCES.get(ds.licence, base + "/du-lieu-mo/"))
    for r in ds.resources.all():
        for fmt in (["geojson"] if r.geo else []) + ["csv", "json"]:
            dist = URIRef(base + reverse("opendata:download", args=[r.uuid, fmt]) + "#distribution")
            media, filetype = FORMATS[fmt]
            g.add((node, DCAT.distribution, dist))
            g.add((dist, RDF.type, DCAT.Distribution))
            g.add((dist, DCTERMS.title, Literal(f"{r.name} ({filetype})", lang="vi")))
            g.add((dist, DCAT.accessURL, URIRef(download_url(base, r, fmt))))
            g.add((dist, DCAT.downloadURL, URIRef(download_url(base, r, fmt))))
            g.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media}")))
            g.add((dist, DCTERMS.format, FILETYPE[filetype]))
            g.add((dist, DCTERMS.license, licence))
            if r.refreshed_at:
                g.add((dist, DCTERMS.modified, Literal(r.refreshed_at.isoformat(), datatype=XSD.dateTime)))
    return node


def catalogue(base: str, datasets: Iterable[Dataset]) -> Graph:
    g = _graph()
    cat = URIRef(base + "/catalog")
    g.add((cat, RDF.type, DCAT.Catalog))
    g.add((cat, DCTERMS.title, Literal("Dữ liệu mở Hà Nội", lang="vi")))
    g.add((cat, DCTERMS.description, Literal("Danh mục dữ liệu mở của thành phố Hà Nội", lang="vi")))
    g.add((cat, FOAF.homepage, URIRef(base + reverse("opendata:index"))))
    g.add((cat, DCTERMS.language, URIRef("http://publications.europa.eu/resource/authority/language/VIE")))
    for ds in datasets:
        g.add((cat, DCAT.dataset, add_dataset(g, base, ds)))
    return g


def one(base: str, ds: Dataset) -> Graph:
    g = _graph()
    add_dataset(g, base, ds)
    return g
