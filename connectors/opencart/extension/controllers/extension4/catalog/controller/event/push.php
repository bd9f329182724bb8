<?php
/**
 * The push notification's event handler on OpenCart 4.0 and 4.1: extension/cartsync/event/push.order,
 * the action of catalog/model/checkout/order/addHistory/after (4.0) or
 * catalog/model/checkout/order.addHistory/after (4.1), registered when the module is installed.
 */
namespace Opencart\Catalog\Controller\Extension\Cartsync\Event;

require_once(DIR_EXTENSION . 'cartsync/system/library/cartsync/push.php');

class Push extends \Opencart\System\Engine\Controller {
	public function order(string &$route = '', array &$args = [], mixed &$output = null): void {
		if (!isset($args[0])) {
			return;
		}
		$push = \CartsyncPush::fromSettings();
		if ($push !== null) {
			$push->orderHistoryAdded($args[0], isset($args[1]) ? $args[1] : 0);
		}
	}
}
