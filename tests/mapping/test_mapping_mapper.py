import pytest

from cartsync.engine.mapping import ExpressionSyntaxError, MappingContext, MappingError

ORDER_MAP = {
    "customerIdentifier": {"id": "setting('customer_id')"},
    "referenceNum": "concat('OC-', order_id)",
    "deferNotification": False,
    "shipTo": {
        "name": "join(' ', [shipping_firstname, shipping_lastname])",
        "country": "shipping_iso_code_2",
        "address": {"lines": ["shipping_address_1", "default(shipping_address_2, `null`)"]},
    },
    "routingInfo": {"carrier": "lookup('ship_methods', shipping_code).carrier", "mode": "'92'"},
    "orderItems": "products[].{itemIdentifier: {sku: sku || model}, qty: quantity}",
    "savedElements": [{"name": "'source'", "value": "'opencart'"}, 7, None],
}

ORDER = {
    "order_id": 10045,
    "shipping_firstname": "Ada",
    "shipping_lastname": "Lovelace",
    "shipping_iso_code_2": "US",
    "shipping_address_1": "1 Main St",
    "shipping_code": "flat.flat",
    "products": [{"sku": "", "model": "M-1", "quantity": 2}, {"sku": "FER-2", "model": "M-2", "quantity": 1}],
}


@pytest.fixture
def mapper(context):
    return context.compile_map(ORDER_MAP)


def test_nested_objects_lists_projections_and_constants(mapper):
    assert mapper.apply(ORDER) == {
        "customerIdentifier": {"id": 1077},
        "referenceNum": "OC-10045",
        "deferNotification": False,
        "shipTo": {"name": "Ada Lovelace", "country": "US", "address": {"lines": ["1 Main St", None]}},
        "routingInfo": {"carrier": "UPS", "mode": "92"},
        "orderItems": [
            {"itemIdentifier": {"sku": "M-1"}, "qty": 2},
            {"itemIdentifier": {"sku": "FER-2"}, "qty": 1},
        ],
        "savedElements": [{"name": "source", "value": "opencart"}, 7, None],
    }


def test_output_keys_keep_the_order_of_the_spec(mapper):
    assert list(mapper.apply(ORDER)) == list(ORDER_MAP)
    assert list(mapper.apply(ORDER)["shipTo"]) == ["name", "country", "address"]


def test_each_apply_builds_fresh_containers(mapper):
    first = mapper.apply(ORDER)
    first["shipTo"]["name"] = "changed"
    first["savedElements"].append("x")
    second = mapper.apply(ORDER)
    assert second["shipTo"]["name"] == "Ada Lovelace"
    assert len(second["savedElements"]) == 3


def test_missing_lookup_entry_names_the_output_field(mapper):
    with pytest.raises(MappingError) as caught:
        mapper.apply({**ORDER, "shipping_code": "ups.ups"})
    assert str(caught.value) == "routingInfo.carrier: lookup table 'ship_methods' has no entry 'ups.ups'"
    assert caught.value.field == "routingInfo.carrier"
    assert caught.value.message == "lookup table 'ship_methods' has no entry 'ups.ups'"


def test_error_inside_a_list_names_the_index(context):
    mapper = context.compile_map({"lines": ["upper(a)", {"b": "upper(b)"}]})
    with pytest.raises(MappingError) as caught:
        mapper.apply({"a": "x", "b": 5})
    assert str(caught.value) == "lines[1].b: upper(): argument 'text' must be null or string, got number 5"


def test_jmespath_builtin_type_errors_become_mapping_errors_with_the_field(context):
    mapper = context.compile_map({"count": "length(products)"})
    with pytest.raises(MappingError) as caught:
        mapper.apply({"products": 5})
    assert str(caught.value) == "count: length(): expected string or array or object, got number 5"


def test_a_single_expression_spec_maps_to_its_value(context):
    mapper = context.compile_map("{sku: sku, qty: to_int(available)}")
    assert mapper.apply({"sku": "A", "available": "4.0"}) == {"sku": "A", "qty": 4}
    with pytest.raises(MappingError) as caught:
        mapper.apply({"sku": "A", "available": "many"})
    assert caught.value.field == ""
    assert str(caught.value) == 'to_int(): "many" is not a number'


def test_a_bad_expression_in_the_spec_reports_its_place_and_offset(context):
    with pytest.raises(ExpressionSyntaxError) as caught:
        context.compile_map({"shipTo": {"lines": ["a", "b ||"]}})
    assert caught.value.path == ("shipTo", "lines", 1)
    assert caught.value.message == "the expression is incomplete"
    assert caught.value.offset == 4


def test_an_unknown_lookup_table_in_the_spec_fails_at_compile(context):
    with pytest.raises(ExpressionSyntaxError) as caught:
        context.compile_map({"routingInfo": {"carrier": "lookup('carriers', shipping_code)"}})
    assert caught.value.path == ("routingInfo", "carrier")
    assert (
        caught.value.message
        == "there is no lookup table 'carriers' (the pipeline's tables: ship_methods, statuses)"
    )


def test_field_paths_follow_jmespath_null_semantics():
    mapper = MappingContext().compile_map({"a": "x.y.z", "b": "x", "c": "x.y"})
    assert mapper.apply({"x": {"y": {"z": 1}}}) == {"a": 1, "b": {"y": {"z": 1}}, "c": {"z": 1}}
    assert mapper.apply({"x": {"y": "text"}}) == {"a": None, "b": {"y": "text"}, "c": "text"}
    assert mapper.apply({"x": [1]}) == {"a": None, "b": [1], "c": None}
    assert mapper.apply({}) == {"a": None, "b": None, "c": None}
