import pytest


@pytest.mark.parametrize(
    ("full", "first", "last"),
    [
        ("Ada Lovelace", "Ada", "Lovelace"),
        ("Ada King  Lovelace", "Ada King", "Lovelace"),
        ("  Ada\tLovelace  ", "Ada", "Lovelace"),
        ("Cher", "Cher", ""),
        ("", "", ""),
    ],
)
def test_names_split_on_the_last_space(evaluate, full, first, last):
    data = {"full": full}
    assert evaluate("first_name(full)", data) == first
    assert evaluate("last_name(full)", data) == last
    assert evaluate("split_name(full)", data) == {"first": first, "last": last}


@pytest.mark.parametrize("name", ["first_name", "last_name", "split_name"])
def test_names_of_null_are_null(evaluate, name):
    assert evaluate(f"{name}(missing)") is None


def test_split_name_feeds_nested_fields(evaluate):
    assert evaluate("split_name(name).{firstname: first, lastname: last}", {"name": "Grace B. Hopper"}) == {
        "firstname": "Grace B.",
        "lastname": "Hopper",
    }
