"""A shopper in a real store's storefront: put products in the cart, look at the cart page, go to
checkout. One cookie session per shopper, as a browser keeps it."""

from __future__ import annotations

import requests
from realstore_stores import RealStore

# OpenCart's words (every version) when a cart line asks for more than the stock allows.
NOT_IN_STOCK = "not available in the desired quantity"


class Shopper:
    def __init__(self, store: RealStore) -> None:
        self.store = store
        self.http = requests.Session()
        self.four = store.version.startswith("4")

    def _route(self, route: str) -> dict[str, str]:
        if self.four:  # 4.x: controller.method; 2.x/3.0: controller/method
            route = route.replace("/add", ".add")
        return {"route": route}

    def add_to_cart(self, product_id: int, quantity: int, options: dict[int, int]) -> dict:
        """checkout/cart/add with the chosen option values ({product_option_id: product_option_value_id})."""
        form = {"product_id": str(product_id), "quantity": str(quantity)}
        form.update({f"option[{option}]": str(value) for option, value in options.items()})
        reply = self.http.post(
            f"{self.store.url}/index.php", params=self._route("checkout/cart/add"), data=form, timeout=30
        )
        assert reply.status_code == 200, reply.text[:300]
        return reply.json()

    def cart_page(self) -> str:
        reply = self.http.get(f"{self.store.url}/index.php", params={"route": "checkout/cart"}, timeout=30)
        assert reply.status_code == 200, reply.text[:300]
        return reply.text

    def checkout_sends_back_to_cart(self) -> bool:
        """Whether the checkout page turns the shopper back to the cart (OpenCart does so when a line is
        not in stock and the store does not allow checkout without stock)."""
        reply = self.http.get(
            f"{self.store.url}/index.php",
            params={"route": "checkout/checkout"},
            timeout=30,
            allow_redirects=False,
        )
        location = reply.headers.get("Location", "").replace("&amp;", "&")
        return reply.status_code in (301, 302) and "checkout/cart" in location
