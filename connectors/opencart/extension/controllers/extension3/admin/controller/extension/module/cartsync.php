<?php
/**
 * Admin side of the OpenCart 3.0 installer package: Extensions > Extensions > Modules > cartsync.
 * Installing it registers the push notification's event (see system/library/cartsync/push.php);
 * uninstalling removes it. There is nothing to edit: the edit button leads back to the list.
 */
class ControllerExtensionModuleCartsync extends Controller {
	const EVENT = 'cartsync_push';

	public function index() {
		$this->response->redirect($this->url->link('marketplace/extension', 'user_token=' . $this->session->data['user_token'] . '&type=module', true));
	}

	public function install() {
		$this->load->model('setting/event');
		$this->model_setting_event->deleteEventByCode(self::EVENT);
		$this->model_setting_event->addEvent(self::EVENT, 'catalog/model/checkout/order/addOrderHistory/after', 'extension/cartsync/push/order');
	}

	public function uninstall() {
		$this->load->model('setting/event');
		$this->model_setting_event->deleteEventByCode(self::EVENT);
	}
}
