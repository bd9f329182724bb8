import pytest

from cartsync.engine.mapping import ExpressionSyntaxError, MappingContext, MappingError, mapping_function


def test_a_plain_callable_gets_its_arity_from_its_signature():
    def pending_quantity(sku, warehouse=None):
        return {"A": 2}.get(sku, 0)

    context = MappingContext(extra_functions={"pending_quantity": pending_quantity})
    assert context.compile("pending_quantity(sku)").search({"sku": "B"}) == 0
    assert context.compile("[available, pending_quantity(sku, 'main')]").search(
        {"sku": "A", "available": 5}
    ) == [5, 2]
    with pytest.raises(ExpressionSyntaxError) as caught:
        context.compile("pending_quantity()")
    assert caught.value.message == "pending_quantity(sku[, warehouse]) takes 1 to 2 arguments, got 0"
    assert "pending_quantity" in context.function_names


def test_a_declared_function_has_its_argument_types_checked():
    @mapping_function("string", "number?")
    def pending_quantity(sku, floor=0):
        return max({"A": 2}.get(sku, 0), floor)

    context = MappingContext(extra_functions={"pending": pending_quantity})
    assert context.compile("pending('A')").search({}) == 2
    assert context.compile("pending('B', `1`)").search({}) == 1
    mapper = context.compile_map({"qty": "pending(sku)"})
    with pytest.raises(MappingError) as caught:
        mapper.apply({"sku": 7})
    assert str(caught.value) == "qty: pending(): argument 'sku' must be string, got number 7"


def test_variadic_plain_callable():
    context = MappingContext(
        extra_functions={"first_of": lambda *values: next((v for v in values if v), None)}
    )
    assert context.compile("first_of(a, b, c)").search({"b": "x", "c": "y"}) == "x"


def test_an_extra_function_may_raise_mapping_error_with_its_own_message():
    def reserved(sku):
        raise MappingError(f"SKU '{sku}' is not in the ledger")

    mapper = MappingContext(extra_functions={"reserved": reserved}).compile_map({"qty": "reserved(sku)"})
    with pytest.raises(MappingError) as caught:
        mapper.apply({"sku": "A"})
    assert str(caught.value) == "qty: SKU 'A' is not in the ledger"


@pytest.mark.parametrize("name", ["lookup", "length"])
def test_extra_functions_cannot_hide_built_in_ones(name):
    with pytest.raises(ValueError, match=rf"^extra function {name}\(\) has the name of a built-in function$"):
        MappingContext(extra_functions={name: lambda value: value})


def test_extra_functions_of_one_context_are_unknown_to_another():
    MappingContext(extra_functions={"pending": lambda sku: 0})
    with pytest.raises(ExpressionSyntaxError, match="unknown function pending"):
        MappingContext().compile("pending('A')")


def test_declaring_types_for_the_wrong_number_of_parameters_fails_at_import():
    with pytest.raises(ValueError, match=r"^f: 2 types declared for 1 parameters$"):
        mapping_function("string", "number")(lambda_f)

    with pytest.raises(ValueError, match=r"unknown JMESPath type\(s\) \['text'\]"):
        mapping_function("text")(lambda_f)


def lambda_f(value):
    return value


lambda_f.__name__ = "f"
