<?php
/**
 * Each signed request is taken once. A signed URL can reach an access log; within its clock
 * window anyone who reads it could send it again. The signatures the store accepted are kept, one
 * empty file each in OpenCart's cache folder (system/storage/cache/), until their time leaves the
 * window; a file is created only if it does not exist (an atomic create), so two copies of a
 * request arriving together are not both taken. No table: OpenCart's cache folder is already there
 * and writable. (A store served by several web servers needs that folder shared, as its file
 * cache and sessions do.)
 */
class CartsyncReplay {
	const PREFIX = 'cartsync-signature.';

	private $directory;

	public function __construct($directory) {
		$this->directory = rtrim((string)$directory, '/') . '/';
	}

	/**
	 * Records a signature as taken until $expires (a Unix time); false when it was taken before.
	 * @throws CartsyncError when the cache folder cannot be written
	 */
	public function takeOnce($signature, $expires, $now) {
		$this->forgetExpired($now);
		$file = $this->directory . self::PREFIX . sha1($signature) . '.' . (int)$expires;
		$handle = @fopen($file, 'x');
		if ($handle !== false) {
			fclose($handle);
			return true;
		}
		if (is_file($file)) {
			return false;
		}
		throw new CartsyncError('internal', 500, 'The store cannot write its cache folder (system/storage/cache/), where signed requests are recorded so that none is taken twice');
	}

	private function forgetExpired($now) {
		foreach (glob($this->directory . self::PREFIX . '*') ?: array() as $file) {
			$expires = (int)substr(strrchr($file, '.'), 1);
			if ($expires < $now) {
				@unlink($file);
			}
		}
	}
}
