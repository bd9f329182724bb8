-- OpenCart 2.1 and 2.3: the API user's column is `name`; a login keeps its token beside the PHP
-- session id (2.3 also checks the PHPSESSID cookie of the login reply).
ALTER TABLE oc_api CHANGE username name VARCHAR(64) NOT NULL;
ALTER TABLE oc_api_session ADD token VARCHAR(32) NOT NULL AFTER api_id;
