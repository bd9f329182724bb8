<?php
/**
 * cartsync routes inside OpenCart's own API area: api/cartsync/<operation>.
 * OpenCart 2.x and 3.0 bind the token (2.x `token`, 3.0 `api_token`) to the session and check
 * the API user's IP list before this controller runs; it requires session api_id.
 * These routes keep working in maintenance mode.
 */
require_once(DIR_SYSTEM . 'library/cartsync/cartsync.php');

class ControllerApiCartsync extends Controller {
	use CartsyncRoutes;

	/** Not a route: OpenCart never calls a method that requires an argument. */
	private function serve($op) {
		$session = $this->registry->get('session');
		$this->reply($op, 'api', function () use ($session) {
			return CartsyncGuard::requireSession($session);
		});
	}
}
