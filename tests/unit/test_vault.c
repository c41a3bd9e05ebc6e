/* test_vault.c - ansible-vault envelopes (runner/util/vault.c) and their
 * use by the YAML loader: fixtures made by ansible-vault 2.14
 * (tests/unit/fixtures/vault/README); wrong passwords, changed bytes and
 * malformed envelopes are refused; decrypted values are unsafe and masked
 * in diffs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/util/diff.h"
#include "runner/util/vault.h"
#include "runner/util/yamlload.h"
#include "tests/unit/testutil.h"
#include "runner/util/banned.h"

/* decrypt fixture rel; NULL and the error in *why on failure */
static char *
dec(const char *rel, char **why)
{
	struct strbuf out = STRBUF_INIT;
	struct err e = ERR_INIT;
	size_t len;
	char *s = tu_read_fixture(rel, &len);
	int rc = vault_decrypt(s, len, &out, &e);

	free(s);
	*why = NULL;
	if (rc < 0) {
		strbuf_rtrim(&e.msg);
		*why = xstrdup(err_text(&e, "?"));
		strbuf_release(&out);
		err_release(&e);
		return NULL;
	}
	err_release(&e);
	return strbuf_detach(&out, NULL);
}

static int
teardown(void **state)
{
	(void)state;
	vault_clear();
	return 0;
}

static void
test_files(void **state)
{
	char *p, *why;

	(void)state;
	assert_null(dec("vault/vars11.vault", &why));
	assert_string_equal(why, "attempting to decrypt but no vault secrets "
	    "found (--vault-password-file, --vault-id or --ask-vault-pass)");
	free(why);
	vault_add_secret(NULL, "pw1", 3);
	p = dec("vault/vars11.vault", &why);
	assert_non_null(p);
	assert_string_equal(p, "db_pass: p@ss\nport: 5432\n");
	free(p);
	p = dec("vault/empty.vault", &why);
	assert_string_equal(p, "");
	free(p);
	p = dec("vault/block16.vault", &why);
	assert_string_equal(p, "0123456789abcdef");   /* full padding block */
	free(p);
	/* 1.2 with id prod: pw1 does not open it */
	assert_null(dec("vault/vars12.vault", &why));
	assert_string_equal(why, "decryption failed (no vault secret found "
	    "that decrypts vault id 'prod')");
	free(why);
	/* a secret under another id is tried too (vault_id_match false) */
	vault_add_secret("other", "second", 6);
	p = dec("vault/vars12.vault", &why);
	assert_string_equal(p, "db_pass: p@ss\nport: 5432\n");
	free(p);
}

static void
test_tampered(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct err e = ERR_INIT;
	size_t len, i;
	char *s = tu_read_fixture("vault/vars11.vault", &len);
	char *nl = strchr(s, '\n');

	(void)state;
	vault_add_secret(NULL, "pw1", 3);
	/* flip each hex digit of the body in turn (a sample): never a
	 * plaintext, always an error */
	for (i = (size_t)(nl - s) + 1; i < len; i += 7) {
		char c = s[i];

		if (c == '\n')
			continue;
		s[i] = c == '0' ? '1' : '0';
		assert_int_equal(vault_decrypt(s, len, &out, &e), -1);
		assert_int_equal(out.len, 0);
		s[i] = c;
	}
	assert_int_equal(vault_decrypt(s, len, &out, &e), 0);
	strbuf_setlen(&out, 0);
	err_release(&e);                   /* (at most ERR_MAX messages) */
	memcpy(s + 15, "1.3", 3);          /* unknown version */
	assert_int_equal(vault_decrypt(s, len, &out, &e), -1);
	assert_non_null(strstr(e.msg.buf, "unsupported vault header"));
	assert_int_equal(vault_decrypt("$ANSIBLE_VAULT;1.1;AES256\nzz\n", 29,
	    &out, &e), -1);
	assert_non_null(strstr(e.msg.buf, "vault format error"));
	assert_int_equal(out.len, 0);
	assert_int_equal(vault_decrypt("$ANSIBLE_VAULT;1.1;AES256", 25, &out,
	    &e), -1);
	free(s);
	strbuf_release(&out);
	err_release(&e);
}

static void
test_yaml(void **state)
{
	struct err e = ERR_INIT;
	struct strbuf d = STRBUF_INIT;
	struct val *v;
	size_t len;
	char *s = tu_read_fixture("vault/inline11.yml", &len);
	char path[] = "/tmp/mend-vault-XXXXXX";
	int fd = mkstemp(path);
	char *enc = tu_read_fixture("vault/vars11.vault", &len);
	const char *sec;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(yaml_load_string("inline.yml", s, strlen(s), &v, &e),
	    -1);
	assert_non_null(strstr(e.msg.buf, "inline.yml:1:9: error: !vault "
	    "value: attempting to decrypt"));
	vault_add_secret(NULL, "pw1", 3);
	assert_int_equal(yaml_load_string("inline.yml", s, strlen(s), &v, &e),
	    0);
	sec = val_map_str(v, "secret", "");
	assert_string_equal(sec, "hunter2");
	assert_true(val_map_get(v, "secret")->unsafe);
	/* a diff never shows it */
	diff_unified(&d, "pw=old\n", 7, "pw=hunter2\n", 11, "a", "b", 3);
	assert_null(strstr(d.buf, "hunter2"));
	assert_non_null(strstr(d.buf, "+pw=********"));
	val_free(v);
	/* a whole encrypted file through yaml_load_file */
	assert_int_equal(write(fd, enc, len), (ssize_t)len);
	close(fd);
	assert_int_equal(yaml_load_file(path, &v, &e), 0);
	assert_string_equal(val_map_str(v, "db_pass", ""), "p@ss");
	assert_int_equal(val_map_get(v, "port")->type, V_INT);
	assert_true(val_map_get(v, "port")->unsafe);
	val_free(v);
	unlink(path);
	free(s);
	free(enc);
	strbuf_release(&d);
	err_release(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_files, teardown),
		cmocka_unit_test_teardown(test_tampered, teardown),
		cmocka_unit_test_teardown(test_yaml, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
