<?php
/**
 * Admin side of the cartsync package: Extensions > Extensions > Modules > cartsync.
 * Installing it there registers the package (an oc_extension row), which is what makes OpenCart
 * load its catalog routes; uninstalling removes that row and the module's admin permissions again.
 * cartsync keeps no tables or settings.
 */
namespace Opencart\Admin\Controller\Extension\Cartsync\Module;

class Cartsync extends \Opencart\System\Engine\Controller {
	public function index(): void {
		$this->load->language('extension/cartsync/module/cartsync');
		$this->document->setTitle($this->language->get('heading_title'));

		$data['breadcrumbs'] = [
			['text' => $this->language->get('text_home'), 'href' => $this->url->link('common/dashboard', 'user_token=' . $this->session->data['user_token'])],
			['text' => $this->language->get('text_extension'), 'href' => $this->url->link('marketplace/extension', 'user_token=' . $this->session->data['user_token'] . '&type=module')],
			['text' => $this->language->get('heading_title'), 'href' => $this->url->link('extension/cartsync/module/cartsync', 'user_token=' . $this->session->data['user_token'])],
		];
		$data['back'] = $this->url->link('marketplace/extension', 'user_token=' . $this->session->data['user_token'] . '&type=module');
		$data['catalog_route'] = version_compare(VERSION, '4.1.0.0', '>=') ? 'extension/cartsync/api/cartsync&call=version' : 'extension/cartsync/api/cartsync.version';
		$data['header'] = $this->load->controller('common/header');
		$data['column_left'] = $this->load->controller('common/column_left');
		$data['footer'] = $this->load->controller('common/footer');

		$this->response->setOutput($this->load->view('extension/cartsync/module/cartsync', $data));
	}

	/** Registers the push notification's event (system/library/cartsync/push.php). */
	public function install(): void {
		$this->load->model('setting/event');
		$this->model_setting_event->deleteEventByCode('cartsync_push');
		$separator = version_compare(VERSION, '4.1.0.0', '>=') ? '.' : '/';
		$this->model_setting_event->addEvent([
			'code' => 'cartsync_push',
			'description' => 'cartsync: notify cartsync serve when an order gets a history entry',
			'trigger' => 'catalog/model/checkout/order' . $separator . 'addHistory/after',
			'action' => 'extension/cartsync/event/push.order',
			'status' => 1,
			'sort_order' => 0,
		]);
	}

	/**
	 * OpenCart leaves the module's admin permissions behind on uninstall; remove them so the store is as
	 * before. Only groups that hold the route are written, and their lists stay JSON lists: OpenCart's own
	 * removePermission() would turn an empty permission ('') into 'null' and a list with a gap into an object.
	 */
	public function uninstall(): void {
		$this->load->model('setting/event');
		$this->model_setting_event->deleteEventByCode('cartsync_push');
		$route = 'extension/cartsync/module/cartsync';
		$query = $this->db->query("SELECT `user_group_id`, `permission` FROM `" . DB_PREFIX . "user_group`");

		foreach ($query->rows as $group) {
			$permission = json_decode($group['permission'], true);

			if (!is_array($permission)) {
				continue;
			}

			$changed = false;

			foreach (['access', 'modify'] as $type) {
				if (isset($permission[$type]) && is_array($permission[$type]) && in_array($route, $permission[$type], true)) {
					$permission[$type] = array_values(array_filter($permission[$type], fn($item) => $item !== $route));
					$changed = true;
				}
			}

			if ($changed) {
				$this->db->query("UPDATE `" . DB_PREFIX . "user_group` SET `permission` = '" . $this->db->escape(json_encode($permission)) . "' WHERE `user_group_id` = '" . (int)$group['user_group_id'] . "'");
			}
		}
	}
}
