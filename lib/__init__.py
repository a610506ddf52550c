"""The bottom layer: small pieces every app shares, importing no app of ours.

Keyset paging (`keyset`), the list-page mixin (`mixins`), the one parser of ids
from requests (`ids`), the shop's date style (`dates`, `widgets`, the `shop_dates`
template filters). `config` wires the project together and is imported by no app;
`tests/catalog/test_structure.py` holds both rules.
"""
