/* fspath.c - Python's os.path arithmetic; see fspath.h. */
#include <string.h>

#include "modules/files/fspath.h"
#include "runner/util/banned.h"

static int
last_is_dotdot(const struct strbuf *sb)
{
	return sb->len >= 2 && memcmp(sb->buf + sb->len - 2, "..", 2) == 0 &&
	    (sb->len == 2 || sb->buf[sb->len - 3] == '/');
}

void
fspath_normpath(const char *in, struct strbuf *out)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = in, *e;
	size_t len, cut;

	while (*p != '\0') {
		while (*p == '/')
			p++;
		e = strchrnul(p, '/');
		len = (size_t)(e - p);
		if (len == 2 && p[0] == '.' && p[1] == '.' && sb.len > 0 &&
		    !last_is_dotdot(&sb)) {
			cut = sb.len;
			while (cut > 0 && sb.buf[cut - 1] != '/')
				cut--;
			strbuf_setlen(&sb, cut > 0 ? cut - 1 : 0);
		} else if (len > 0 && !(len == 1 && *p == '.') &&
		    !(len == 2 && p[0] == '.' && p[1] == '.' && in[0] == '/')) {
			if (sb.len > 0 || in[0] == '/')
				strbuf_addch(&sb, '/');
			strbuf_add(&sb, p, len);
		}
		p = e;
	}
	strbuf_reset(out);
	if (sb.len == 0)
		strbuf_addstr(out, in[0] == '/' ? "/" : ".");
	strbuf_addbuf(out, &sb);
	strbuf_release(&sb);
}

