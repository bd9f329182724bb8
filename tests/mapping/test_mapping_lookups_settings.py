import pytest

from cartsync.engine.mapping import MappingContext, MappingError

TABLES = {
    "ship_methods": {"flat.flat": {"carrier": "UPS"}, "free.free": None},
    "statuses": {"2": "Processing", 3: "Shipped"},
}


@pytest.fixture
def search():
    context = MappingContext(lookups=TABLES, settings={"customer_id": 1077, "empty": None})
    return lambda expression, data=None: context.compile(expression).search(data or {})


def test_lookup_returns_the_entry_value_whole(search):
    assert search("lookup('ship_methods', code)", {"code": "flat.flat"}) == {"carrier": "UPS"}
    assert search("lookup('ship_methods', code).carrier", {"code": "flat.flat"}) == "UPS"


def test_lookup_entry_whose_value_is_null_is_found_not_missing(search):
    assert search("lookup('ship_methods', 'free.free')") is None


def test_lookup_tries_a_number_key_as_text_and_as_itself(search):
    assert search("lookup('statuses', `2`)") == "Processing"
    assert search("lookup('statuses', `3`)") == "Shipped"


def test_lookup_missing_entry_without_default_names_table_and_key(search):
    with pytest.raises(MappingError) as caught:
        search("lookup('ship_methods', code)", {"code": "ups.ups"})
    assert caught.value.message == "lookup table 'ship_methods' has no entry 'ups.ups'"


def test_lookup_missing_number_or_null_key_is_shown_as_json(search):
    with pytest.raises(MappingError, match=r"^lookup table 'statuses' has no entry 7$"):
        search("lookup('statuses', `7`)")
    with pytest.raises(MappingError, match=r"^lookup table 'statuses' has no entry null$"):
        search("lookup('statuses', missing)")


def test_lookup_array_key_is_never_found(search):
    with pytest.raises(MappingError, match=r"has no entry \[1\]"):
        search("lookup('statuses', `[1]`)")


def test_lookup_default_is_returned_when_missing_including_null(search):
    assert search("lookup('ship_methods', 'ups.ups', 'OTHER')") == "OTHER"
    assert search("lookup('ship_methods', 'ups.ups', `null`)") is None


def test_lookup_of_a_computed_table_name_that_does_not_exist_lists_the_tables(search):
    with pytest.raises(MappingError) as caught:
        search("lookup(table, 'x')", {"table": "carriers"})
    assert (
        caught.value.message
        == "there is no lookup table 'carriers' (the pipeline's tables: ship_methods, statuses)"
    )


def test_lookup_table_name_must_be_text(search):
    with pytest.raises(MappingError, match=r"^lookup\(\): argument 'table' must be string, got number 5$"):
        search("lookup(`5`, 'x')")


def test_setting_reads_settings_including_null_values(search):
    assert search("setting('customer_id')") == 1077
    assert search("setting('empty', 'fallback')") is None


def test_setting_default_when_missing(search):
    assert search("setting(name, `0`)", {"name": "facility_id"}) == 0


def test_setting_missing_without_default_is_an_error_listing_the_settings(search):
    with pytest.raises(MappingError) as caught:
        search("setting(name)", {"name": "facility_id"})
    assert (
        caught.value.message == "the pipeline has no setting 'facility_id' (its settings: customer_id, empty)"
    )
