"""The Hà Nội demo: everything `smartcity demo load` puts in a fresh database, in one place to read.

The top layer: it calls every app's services and nothing imports it (an import-linter contract keeps it so), so no
domain app carries demo data. What the demo *uses* stays in its app, because every provider family has a ``demo``
provider that the tests use too (STYLE rule 6): the sandbox payment gateway (``payments``), the demo certificate
authority (``signing.services.ensure_demo_pki``), the development identity provider and its client registration
(``identity.services.ensure_demo_client``), the synthetic residents (``population.synth``). What stays here is the
data (named people, staff, fixed passwords and TOTP secrets, sample dossiers) and the order of loading it:

* ``people.py`` — the two named citizens An and Bình, and the synthetic residents;
* ``accounts.py`` — the staff accounts of every role, their password and TOTP secrets, the accounts page printed;
* ``dossiers.py`` — dossiers in the states a visitor wants to see;
* ``network.py`` — the simulated monitoring network with three days of readings;
* ``services.py`` — ``load_demo``, the one entry point (DEBUG only: the data holds known passwords).
"""
