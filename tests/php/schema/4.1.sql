-- OpenCart 4.1: the SKU lives in oc_product_code (code 'SKU'), not in oc_product; there is no
-- login, every call is signed, so no API session table.
ALTER TABLE oc_product DROP sku;

CREATE TABLE oc_product_code (
  product_code_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  product_id INT NOT NULL,
  code VARCHAR(32) NOT NULL,
  value VARCHAR(255) NOT NULL
);

DROP TABLE oc_api_session;
