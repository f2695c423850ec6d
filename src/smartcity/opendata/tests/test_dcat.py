"""DCAT-AP at ckanext-dcat's URLs, parsed back with rdflib."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("suffix", "syntax", "media"), [("ttl", "turtle", "text/turtle"),
                                                         ("xml", "xml", "application/rdf+xml"),
                                                         ("jsonld", "json-ld", "application/ld+json")])
def test_the_catalogue_lists_every_public_dataset_in_each_serialisation(client, air_csv, suffix, syntax, media):
    response = client.get(f"/catalog.{suffix}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(media)
    g = Graph().parse(data=response.content, format=syntax)
    catalog = next(g.subjects(RDF.type, DCAT.Catalog))
    datasets = sorted(str(d) for d in g.objects(catalog, DCAT.dataset))
    assert datasets == ["http://testserver/du-lieu-mo/chat-luong-khong-khi/",
                        "http://testserver/du-lieu-mo/thu-tuc-hanh-chinh/"]


def test_a_dataset_document_carries_title_keywords_period_and_distributions(client, air_csv):
    g = Graph().parse(data=client.get("/dataset/chat-luong-khong-khi.ttl").content, format="turtle")
    ds = URIRef("http://testserver/du-lieu-mo/chat-luong-khong-khi/")
    assert g.value(ds, DCTERMS.title) == Literal("Chất lượng không khí", lang="vi")
    assert set(g.objects(ds, DCAT.keyword)) == {Literal("không khí", lang="vi"), Literal("AQI", lang="vi")}
    assert g.value(ds, DCTERMS.accrualPeriodicity) == URIRef(
        "http://publications.europa.eu/resource/authority/frequency/HOURLY")
    urls = sorted(str(g.value(d, DCAT.downloadURL)) for d in g.objects(ds, DCAT.distribution))
    assert urls == [f"http://testserver/du-lieu-mo/tai-nguyen/{air_csv.uuid}/tai-ve.csv",
                    f"http://testserver/du-lieu-mo/tai-nguyen/{air_csv.uuid}/tai-ve.json"]


def test_a_private_or_unknown_dataset_has_no_document(client, catalogue):
    assert client.get("/dataset/noi-bo.ttl").status_code == 404
    assert client.get("/dataset/khong-co.jsonld").status_code == 404
