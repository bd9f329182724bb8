-- OpenCart 4.0 and 4.1: shipping_method and payment_method hold JSON ({"code": ..., "name": ...})
-- and there are no *_code columns; an extension's routes load only while oc_extension has a row
-- with its code.
ALTER TABLE oc_order DROP shipping_code, DROP payment_code,
  MODIFY payment_method TEXT NOT NULL, MODIFY shipping_method TEXT NOT NULL;

CREATE TABLE oc_extension (
  extension_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  extension VARCHAR(255) NOT NULL,
  type VARCHAR(32) NOT NULL,
  code VARCHAR(128) NOT NULL
);
