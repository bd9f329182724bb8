<?php
/**
 * The public route methods of every cartsync controller. A controller using this trait defines
 * serve($op): how it authenticates the caller on its OpenCart version. `index` takes the operation
 * from the `call` parameter (the 4.1 signed form: route=...&call=orders).
 */
trait CartsyncRoutes {
	public function index() {
		$this->serve(isset($this->request->get['call']) ? $this->request->get['call'] : null);
	}

	public function version() {
		$this->serve('version');
	}

	public function statuses() {
		$this->serve('statuses');
	}

	public function orders() {
		$this->serve('orders');
	}

	public function products() {
		$this->serve('products');
	}

	public function stock() {
		$this->serve('stock');
	}

	/** The caller's IP address by the store's trusted-proxy settings (see CartsyncClientIp). */
	private function clientIp() {
		return CartsyncClientIp::of($this->request->server, $this->config->get('cartsync_trusted_proxies'), $this->config->get('cartsync_client_ip_header'), VERSION);
	}

	/** The reply to one operation, written to OpenCart's response. */
	private function reply($op, $variant, callable $authenticate) {
		$service = new CartsyncService($this->db, array(
			'opencart_version' => VERSION,
			'variant' => $variant,
			'language_id' => $this->config->get('config_language_id'),
			'maintenance' => $this->config->get('config_maintenance'),
		));
		$reply = CartsyncEndpoint::handle($authenticate, $service, $op, $this->request->get, file_get_contents('php://input'));
		CartsyncEndpoint::emit($this->response, $reply);
	}
}
