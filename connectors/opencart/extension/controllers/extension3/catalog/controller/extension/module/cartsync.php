<?php
/**
 * cartsync routes of the OpenCart 3.0 Extension Installer package: extension/module/cartsync/<operation>.
 * OpenCart does not bind api_token on these routes, so the controller checks it itself against
 * oc_api_session, the API user's status and its IP list (the caller's IP by the store's
 * trusted-proxy settings, see client_ip.php). In maintenance mode OpenCart answers
 * these routes with its 503 page.
 */
require_once(DIR_SYSTEM . 'library/cartsync/cartsync.php');

class ControllerExtensionModuleCartsync extends Controller {
	use CartsyncRoutes;

	/** Not a route: OpenCart never calls a method that requires an argument. */
	private function serve($op) {
		$guard = new CartsyncGuard($this->db);
		$token = isset($this->request->get['api_token']) ? $this->request->get['api_token'] : null;
		$ip = $this->clientIp();
		$this->reply($op, 'extension3', function () use ($guard, $token, $ip) {
			return $guard->requireToken($token, $ip);
		});
	}
}
