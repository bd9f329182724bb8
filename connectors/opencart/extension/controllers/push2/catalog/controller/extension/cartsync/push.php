<?php
/**
 * The push notification's event handler on OpenCart 2.1, 2.3 and 3.0 (both 3.0 variants):
 * route extension/cartsync/push/order, registered as the action of
 * - 2.3 and 3.0: the event catalog/model/checkout/order/addOrderHistory/after (args: order id, status id);
 * - 2.1: the event post.order.history.add (arg: the order id).
 * Called as a web page it has no arguments and does nothing.
 */
require_once(DIR_SYSTEM . 'library/cartsync/push.php');

class ControllerExtensionCartsyncPush extends Controller {
	public function order($route = null, $args = null, $output = null) {
		if (is_array($args) && isset($args[0])) {
			$orderId = $args[0];
			$statusId = isset($args[1]) ? $args[1] : 0;
		} elseif (is_numeric($route)) {
			$orderId = $route;
			$statusId = 0;
		} else {
			return;
		}
		$push = CartsyncPush::fromSettings();
		if ($push !== null) {
			$push->orderHistoryAdded($orderId, $statusId);
		}
	}
}
