<?php
/**
 * cartsync routes of the OpenCart 4.x package.
 * 4.0: extension/cartsync/api/cartsync.<operation>&api_token=..., the token checked here against
 *      oc_api_session, the API user's status and its IP list.
 * 4.1: extension/cartsync/api/cartsync&call=<operation>, signed like 4.1's own API calls with the
 *      API user's key, within the same clock window, plus a nonce and the body's sha256, each
 *      signature taken once, and the IP list.
 * The caller's IP is found by the store's trusted-proxy settings (client_ip.php), never taken
 * from a header a client could write itself.
 * In maintenance mode OpenCart answers these routes with its 503 page.
 */
namespace Opencart\Catalog\Controller\Extension\Cartsync\Api;

require_once(DIR_EXTENSION . 'cartsync/system/library/cartsync/cartsync.php');

class Cartsync extends \Opencart\System\Engine\Controller {
	use \CartsyncRoutes;

	/** Not a route: OpenCart never calls a method that requires an argument. */
	private function serve($op) {
		$guard = new \CartsyncGuard($this->db);
		$get = $this->request->get;
		$ip = $this->clientIp();
		if (version_compare(VERSION, '4.1.0.0', '>=')) {
			$post = $this->request->post;
			$server = $this->request->server;
			$replay = new \CartsyncReplay(DIR_CACHE);
			$this->reply($op, 'signed', function ($body) use ($guard, $get, $post, $server, $ip, $replay) {
				return $guard->requireSignature($get, $post, $server, $ip, time(), $body, $replay);
			});
			return;
		}
		$token = isset($get['api_token']) ? $get['api_token'] : null;
		$this->reply($op, 'extension4', function () use ($guard, $token, $ip) {
			return $guard->requireToken($token, $ip);
		});
	}
}
