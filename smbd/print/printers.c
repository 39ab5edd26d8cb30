/*
 * printers.c - printers made over RPC, their shares and their printer
 * data (printers.h).
 */
#include "smbd/print/printers.h"
#include "smbd/budget.h"
#include "smbd/fs/open.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>

#define RT_FILE_NAME	"printers"
#define RT_SPOOL_DIR	"spool"
#define RT_MAX_NAME	80

struct rt_printer {
	struct rt_printer *prev, *next;
	struct rt_file_printer f;	/* f.def and f.vals children of this */
	struct wg_printer_def *def_mem;	/* owns f.def's strings */
	struct wg_share_cfg *share;	/* a child of this (see rt_drop) */
	size_t bytes;			/* of printer data */
};

struct rt_printers {
	struct print_ctx *pc;
	struct rt_printer *list;
	size_t n;
	uint32_t next_id;
	char *file;		/* NULL: no state directory, nothing kept */
	char *spool;		/* "<state>/spool" */
	bool broken;		/* the file did not load: never overwrite */
};

static struct rt_printer *rt_find(struct rt_printers *rt, const char *name)
{
	for (struct rt_printer *p = rt->list; p != NULL; p = p->next) {
		if (strcasecmp(p->f.def.name, name) == 0) {
			return p;
		}
	}
	return NULL;
}

/* The share name of d: its own, or the printer's name. */
static const char *def_share(const struct wg_printer_def *d)
{
	return d->share_name != NULL && d->share_name[0] != '\0' ?
	       d->share_name : d->name;
}

static struct rt_printer *rt_find_share(struct rt_printers *rt,
					const char *name)
{
	for (struct rt_printer *p = rt->list; p != NULL; p = p->next) {
		if (strcasecmp(def_share(&p->f.def), name) == 0) {
			return p;
		}
	}
	return NULL;
}

/* "\\server\printer" or "printer" -> "printer". */
static const char *leaf_name(const char *name)
{
	const char *s = strrchr(name, '\\');

	return s != NULL ? s + 1 : name;
}

static size_t value_bytes(const struct wg_printer_value *v)
{
	return strlen(v->key) + (v->name != NULL ? strlen(v->name) : 0) +
	       v->len;
}

/* Write the file (a new one renamed over the old). 0 or -EIO. */
static int rt_save(struct rt_printers *rt)
{
	TALLOC_CTX *tmp = NULL;
	struct rt_file_printer *arr = NULL;
	char *text = NULL, *path = NULL;
	size_t i = 0, len = 0;
	int fd = -1, rc = -EIO;

	if (rt->file == NULL) {
		return 0;
	}
	if (rt->broken) {
		return -EIO;
	}
	tmp = talloc_new(NULL);
	arr = tmp != NULL ? talloc_array(tmp, struct rt_file_printer,
					 rt->n) : NULL;
	for (struct rt_printer *p = rt->list; arr != NULL && p != NULL;
	     p = p->next) {
		arr[i++] = p->f;
	}
	text = arr != NULL ? rt_file_format(tmp, arr, i) : NULL;
	path = text != NULL ? talloc_asprintf(tmp, "%s.new", rt->file) : NULL;
	if (path == NULL) {
		talloc_free(tmp);
		return -ENOMEM;
	}
	len = strlen(text);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0 && write(fd, text, len) == (ssize_t)len &&
	    fsync(fd) == 0 && close(fd) == 0) {
		fd = -1;
		rc = rename(path, rt->file) == 0 ? 0 : -EIO;
	}
	if (fd >= 0) {
		close(fd);
	}
	if (rc != 0) {
		DBG_ERR(GEN, "cannot save the printers to %s: %s", rt->file,
			strerror(errno));
		(void)unlink(path);
	}
	talloc_free(tmp);
	return rc;
}

/* The printer share of p: its spool directory, made if missing. */
static int rt_share(struct rt_printers *rt, struct rt_printer *p)
{
	struct wg_share_cfg *sh = talloc_zero(p, struct wg_share_cfg);

	if (sh == NULL) {
		return -ENOMEM;
	}
	sh->name = talloc_strdup(sh, def_share(&p->f.def));
	sh->comment = talloc_strdup(sh, p->f.def.comment);
	sh->path = rt->spool != NULL ?
		   talloc_asprintf(sh, "%s/%u", rt->spool, p->f.id) :
		   talloc_strdup(sh, "/nonexistent");
	if (sh->name == NULL || sh->comment == NULL || sh->path == NULL) {
		talloc_free(sh);
		return -ENOMEM;
	}
	sh->type = WG_SHARE_PRINT;
	if (rt->spool != NULL) {
		(void)mkdir(rt->spool, 0700);
		if (mkdir(sh->path, 0700) != 0 && errno != EEXIST) {
			DBG_ERR(GEN, "printer '%s': cannot make its spool "
				"directory %s: %s", sh->name, sh->path,
				strerror(errno));
		}
	}
	p->share = sh;
	return 0;
}

static int keep_share(struct smbd_tree *t, void *priv)
{
	struct wg_share_cfg *sh = priv;

	if (t->share == sh) {
		/* the tree keeps what it points at; it fails from now on */
		(void)talloc_reference(t, sh);
	}
	return 0;
}

/*
 * A deleted printer's finished jobs leave its queue (EnumJobs). Their
 * files stay in its spool directory: jobs are never lost. A job still
 * being written belongs to its printer handle and ends with it.
 */
static void drop_jobs(struct print_ctx *pc, const char *printer)
{
	struct print_job *j = pc->jobs, *next = NULL;

	for (; j != NULL; j = next) {
		next = j->next;
		if (!j->done || strcasecmp(j->printer, printer) != 0) {
			continue;
		}
		if (j->prev != NULL) {
			j->prev->next = j->next;
		} else {
			pc->jobs = j->next;
		}
		if (j->next != NULL) {
			j->next->prev = j->prev;
		}
		talloc_free(j);
	}
}

/* Unlink and free p; trees connected to its share keep the share. */
static void rt_drop(struct rt_printers *rt, struct rt_printer *p)
{
	drop_jobs(rt->pc, p->share != NULL ? p->share->name :
		  p->f.def.name);
	if (p->share != NULL) {
		(void)smbd_trees_foreach(rt->pc->srv, keep_share, p->share);
		if (rt->spool != NULL) {
			(void)rmdir(p->share->path);	/* if it is empty */
		}
	}
	if (p->prev != NULL) {
		p->prev->next = p->next;
	} else {
		rt->list = p->next;
	}
	if (p->next != NULL) {
		p->next->prev = p->prev;
	}
	rt->n--;
	talloc_free(p);
}

static void rt_link(struct rt_printers *rt, struct rt_printer *p)
{
	struct rt_printer **tail = &rt->list;
	struct rt_printer *prev = NULL;

	while (*tail != NULL) {
		prev = *tail;
		tail = &(*tail)->next;
	}
	p->prev = prev;
	*tail = p;
	rt->n++;
	if (p->f.id >= rt->next_id) {
		rt->next_id = p->f.id + 1;
	}
}

static struct wg_printer_def *def_copy(TALLOC_CTX *mem,
				       const struct wg_printer_def *d);

static int rt_load(struct rt_printers *rt)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct rt_file_printer *arr = NULL;
	char *text = NULL;
	size_t n = 0, len = 0;
	struct stat st;
	int fd = -1, rc = 0;

	if (tmp == NULL) {
		return -ENOMEM;
	}
	fd = open(rt->file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		talloc_free(tmp);
		return errno == ENOENT ? 0 : -EIO;
	}
	if (fstat(fd, &st) != 0 || st.st_size > 64 * 1024 * 1024) {
		rc = -EIO;
	} else {
		text = talloc_array(tmp, char, (size_t)st.st_size + 1);
		rc = text == NULL ? -ENOMEM : 0;
	}
	while (rc == 0 && len < (size_t)st.st_size) {
		ssize_t r = read(fd, text + len, (size_t)st.st_size - len);

		if (r <= 0) {
			rc = r < 0 && errno == EINTR ? 0 : -EIO;
			if (r == 0) {
				break;
			}
			continue;
		}
		len += (size_t)r;
	}
	close(fd);
	if (rc == 0) {
		rc = rt_file_parse(tmp, text, len, &arr, &n);
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct rt_printer *p = talloc_zero(rt, struct rt_printer);

		if (p == NULL || rt_find(rt, arr[i].def.name) != NULL ||
		    rt_find_share(rt, def_share(&arr[i].def)) != NULL) {
			talloc_free(p);
			rc = p == NULL ? -ENOMEM : -EINVAL;
			break;
		}
		p->f = arr[i];
		p->def_mem = def_copy(p, &arr[i].def);
		if (p->def_mem == NULL) {
			talloc_free(p);
			rc = -ENOMEM;
			break;
		}
		p->f.def = *p->def_mem;
		(void)talloc_steal(p, arr[i].vals);
		for (size_t k = 0; k < p->f.nvals; k++) {
			p->bytes += value_bytes(&p->f.vals[k]);
		}
		rc = rt_share(rt, p);
		if (rc != 0) {
			talloc_free(p);
			break;
		}
		rt_link(rt, p);
	}
	talloc_free(tmp);
	return rc;
}

int rt_printers_init(struct print_ctx *pc)
{
	const char *state = pc->srv->cfg != NULL ? pc->srv->cfg->state_dir :
			    NULL;
	struct rt_printers *rt = talloc_zero(pc, struct rt_printers);
	int rc = 0;

	if (rt == NULL) {
		return -ENOMEM;
	}
	rt->pc = pc;
	rt->next_id = 1;
	pc->rt = rt;
	if (state == NULL || state[0] == '\0') {
		return 0;
	}
	rt->file = talloc_asprintf(rt, "%s/%s", state, RT_FILE_NAME);
	rt->spool = talloc_asprintf(rt, "%s/%s", state, RT_SPOOL_DIR);
	if (rt->file == NULL || rt->spool == NULL) {
		return -ENOMEM;
	}
	rc = rt_load(rt);
	if (rc == -ENOMEM) {
		return rc;
	}
	if (rc != 0) {
		rt->broken = true;
		DBG_ERR(GEN, "%s does not load (%s): its printers are not "
			"served and no printer can be added until it is "
			"fixed or removed", rt->file, strerror(-rc));
		while (rt->list != NULL) {
			rt_drop(rt, rt->list);
		}
	}
	return 0;
}

const struct wg_share_cfg *rt_printers_share(struct print_ctx *pc,
					     const char *name)
{
	struct rt_printer *p = NULL;

	if (pc->rt == NULL || name == NULL) {
		return NULL;
	}
	p = rt_find_share(pc->rt, leaf_name(name));
	if (p == NULL) {
		p = rt_find(pc->rt, leaf_name(name));
	}
	return p != NULL ? p->share : NULL;
}

int rt_printers_list(struct print_ctx *pc, TALLOC_CTX *mem,
		     struct wg_admin_share **v, size_t *n)
{
	struct rt_printers *rt = pc->rt;

	if (rt == NULL || rt->n == 0) {
		return 0;
	}
	*v = talloc_realloc(mem, *v, struct wg_admin_share, *n + rt->n);
	if (*v == NULL) {
		return -ENOMEM;
	}
	for (struct rt_printer *p = rt->list; p != NULL; p = p->next) {
		(*v)[(*n)++] = (struct wg_admin_share) {
			.name = talloc_strdup(*v, p->f.def.name),
			.path = talloc_strdup(*v, p->share->path),
			.comment = talloc_strdup(*v, p->f.def.comment),
			.type = WG_ADMIN_SHARE_PRINT,
		};
	}
	return 0;
}

/* --- the hooks --- */

static char *dup_or_empty(TALLOC_CTX *mem, const char *s)
{
	return talloc_strdup(mem, s != NULL ? s : "");
}

/* A deep copy of d (strings "" for NULL) as a child of mem. */
static struct wg_printer_def *def_copy(TALLOC_CTX *mem,
				       const struct wg_printer_def *d)
{
	struct wg_printer_def *c = talloc_zero(mem, struct wg_printer_def);

	if (c == NULL) {
		return NULL;
	}
	*c = *d;
	c->name = dup_or_empty(c, d->name);
	c->share_name = dup_or_empty(c, d->share_name);
	c->comment = dup_or_empty(c, d->comment);
	c->location = dup_or_empty(c, d->location);
	c->driver = dup_or_empty(c, d->driver);
	c->port = dup_or_empty(c, d->port);
	c->print_processor = dup_or_empty(c, d->print_processor);
	c->datatype = dup_or_empty(c, d->datatype);
	c->parameters = dup_or_empty(c, d->parameters);
	c->sepfile = dup_or_empty(c, d->sepfile);
	c->sd = d->sd_len > 0 ? talloc_memdup(c, d->sd, d->sd_len) : NULL;
	c->devmode = d->devmode_len > 0 ?
		     talloc_memdup(c, d->devmode, d->devmode_len) : NULL;
	if (c->name == NULL || c->share_name == NULL ||
	    c->comment == NULL || c->location == NULL ||
	    c->driver == NULL || c->port == NULL ||
	    c->print_processor == NULL || c->datatype == NULL ||
	    c->parameters == NULL || c->sepfile == NULL ||
	    (d->sd_len > 0 && c->sd == NULL) ||
	    (d->devmode_len > 0 && c->devmode == NULL)) {
		talloc_free(c);
		return NULL;
	}
	c->sd_len = c->sd != NULL ? d->sd_len : 0;
	c->devmode_len = c->devmode != NULL ? d->devmode_len : 0;
	return c;
}

static int op_printer_get(void *priv, TALLOC_CTX *mem, const char *name,
			  struct wg_printer_def **out)
{
	struct print_ctx *pc = priv;
	struct rt_printer *p = pc->rt != NULL ? rt_find(pc->rt,
						       leaf_name(name)) : NULL;
	const struct wg_share_cfg *sh = NULL;
	struct wg_printer_def d = {};

	if (p != NULL) {
		*out = def_copy(mem, &p->f.def);
		return *out != NULL ? 0 : -ENOMEM;
	}
	sh = wg_config_find_share(pc->srv->cfg, leaf_name(name));
	if (sh == NULL || sh->type != WG_SHARE_PRINT) {
		return -ENOENT;
	}
	d.name = sh->name;
	d.share_name = sh->name;
	d.comment = sh->comment;
	d.attributes = 0x48;	/* SHARED | LOCAL */
	d.priority = 1;
	d.default_priority = 1;
	d.change_id = 1;
	*out = def_copy(mem, &d);
	return *out != NULL ? 0 : -ENOMEM;
}

/* Could name be a share name? (Windows' share name rules, in short.) */
static bool share_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > RT_MAX_NAME || name[len - 1] == '.' ||
	    name[0] == ' ') {
		return false;
	}
	for (const unsigned char *s = (const unsigned char *)name; *s != '\0';
	     s++) {
		if (*s < 0x20 || strchr("\\/:*?\"<>|,=;[]+%", *s) != NULL) {
			return false;
		}
	}
	return true;
}

static int op_printer_add(void *priv, const struct wg_printer_def *def,
			  const char *client_ip)
{
	struct print_ctx *pc = priv;
	struct rt_printers *rt = pc->rt;
	struct rt_printer *p = NULL;
	struct wg_printer_def *c = NULL;
	int rc = 0;

	if (rt == NULL) {
		return -ENOMEM;
	}
	if (def->name == NULL || !share_name_ok(def->name) ||
	    !share_name_ok(def_share(def))) {
		return -EINVAL;
	}
	if (rt_find(rt, def->name) != NULL ||
	    rt_find_share(rt, def_share(def)) != NULL ||
	    wg_config_find_share(pc->srv->cfg, def->name) != NULL ||
	    wg_config_find_share(pc->srv->cfg, def_share(def)) != NULL) {
		return -EEXIST;
	}
	if (rt->broken) {
		return -EIO;
	}
	if (rt->n >= RT_MAX_PRINTERS) {
		smbd_budget_hit_addr(pc->srv, client_ip, SMBD_BUDGET_PRINTERS,
				     RT_MAX_PRINTERS);
		return -ENOSPC;
	}
	p = talloc_zero(rt, struct rt_printer);
	c = p != NULL ? def_copy(p, def) : NULL;
	if (c == NULL) {
		talloc_free(p);
		return -ENOMEM;
	}
	p->def_mem = c;
	p->f.def = *c;
	p->f.def.runtime = true;
	p->f.def.change_id = 1;
	p->f.id = rt->next_id;
	p->f.vals = talloc_array(p, struct wg_printer_value, 0);
	rc = p->f.vals != NULL ? rt_share(rt, p) : -ENOMEM;
	if (rc != 0) {
		talloc_free(p);
		return rc;
	}
	rt_link(rt, p);
	rc = rt_save(rt);
	if (rc != 0) {
		rt_drop(rt, p);
		return rc;
	}
	DBG_NOTICE(GEN, "printer '%s' added from %s", def->name,
		   client_ip != NULL ? client_ip : "?");
	return 0;
}

/* Runtime printer name, or -ENOENT / -EROFS (an smb.conf printer). */
static int rt_lookup(struct print_ctx *pc, const char *name,
		     struct rt_printer **out)
{
	const struct wg_share_cfg *sh = NULL;

	*out = pc->rt != NULL && name != NULL ?
	       rt_find(pc->rt, leaf_name(name)) : NULL;
	if (*out != NULL) {
		return 0;
	}
	sh = name != NULL ? wg_config_find_share(pc->srv->cfg,
						 leaf_name(name)) : NULL;
	return sh != NULL && sh->type == WG_SHARE_PRINT ? -EROFS : -ENOENT;
}

/*
 * May p take def's name (a rename when it differs)? The new name must be
 * one a share could have, and neither it nor the share name that
 * follows it may be another printer's or share's. 0, -EINVAL, -EEXIST.
 */
static int rename_ok(struct print_ctx *pc, struct rt_printer *p,
		     const struct wg_printer_def *def)
{
	const char *name = def->name != NULL && def->name[0] != '\0' ?
			   leaf_name(def->name) : p->f.def.name;
	struct wg_printer_def next = p->f.def;
	struct rt_printer *o = NULL;
	const char *share = NULL;

	if (strcmp(name, p->f.def.name) == 0) {
		return 0;
	}
	if (!share_name_ok(name)) {
		return -EINVAL;
	}
	next.name = (char *)name;
	share = def_share(&next);
	o = rt_find(pc->rt, name);
	if ((o != NULL && o != p) ||
	    ((o = rt_find_share(pc->rt, name)) != NULL && o != p) ||
	    ((o = rt_find_share(pc->rt, share)) != NULL && o != p) ||
	    wg_config_find_share(pc->srv->cfg, name) != NULL ||
	    wg_config_find_share(pc->srv->cfg, share) != NULL) {
		return -EEXIST;
	}
	return 0;
}

static int op_printer_set(void *priv, const char *name,
			  const struct wg_printer_def *def)
{
	struct print_ctx *pc = priv;
	struct rt_printer *p = NULL;
	struct wg_printer_def *c = NULL;
	uint32_t change_id = 0;
	char *comment = NULL, *share = NULL;
	int rc = rt_lookup(pc, name, &p);

	if (rc != 0) {
		return rc;
	}
	rc = rename_ok(pc, p, def);
	if (rc != 0) {
		return rc;
	}
	c = def_copy(p, def);
	if (c == NULL) {
		return -ENOMEM;
	}
	change_id = p->f.def.change_id;
	/* a new name (def's) is a rename; the share's own name stays */
	c->name = talloc_strdup(c, def->name != NULL && def->name[0] != '\0' ?
			       leaf_name(def->name) : p->f.def.name);
	c->share_name = talloc_strdup(c, p->f.def.share_name);
	comment = talloc_strdup(p->share, c->comment);
	share = c->name != NULL && c->share_name != NULL ?
		talloc_strdup(p->share, def_share(c)) : NULL;
	if (share == NULL || comment == NULL) {
		talloc_free(share);
		talloc_free(comment);
		talloc_free(c);
		return -ENOMEM;
	}
	if (strcmp(c->name, p->f.def.name) != 0) {
		DBG_NOTICE(GEN, "printer '%s' renamed '%s'", p->f.def.name,
			   c->name);
	}
	/* its jobs follow the share (print.c keys them by it) */
	print_jobs_renamed(pc, p->share->name, share);
	talloc_free(p->def_mem);
	p->def_mem = c;
	p->f.def = *c;
	p->f.def.runtime = true;
	p->f.def.change_id = change_id + 1;
	talloc_free(p->share->comment);
	p->share->comment = comment;
	talloc_free(p->share->name);
	p->share->name = share;
	return rt_save(pc->rt);
}

static int op_printer_delete(void *priv, const char *name)
{
	struct print_ctx *pc = priv;
	struct rt_printer *p = NULL;
	int rc = rt_lookup(pc, name, &p);

	if (rc != 0) {
		return rc;
	}
	DBG_NOTICE(GEN, "printer '%s' deleted", p->f.def.name);
	/* its queue goes with it: a printer of that name added later
	 * starts empty */
	print_jobs_purge(pc, p->share->name);
	rt_drop(pc->rt, p);
	return rt_save(pc->rt);
}

static int op_data_list(void *priv, TALLOC_CTX *mem, const char *printer,
			struct wg_printer_value **out, size_t *n)
{
	struct print_ctx *pc = priv;
	struct rt_printer *p = NULL;
	struct wg_printer_value *v = NULL;
	int rc = rt_lookup(pc, printer, &p);

	*out = NULL;
	*n = 0;
	if (rc == -EROFS) {
		return 0;	/* an smb.conf printer has no data */
	}
	if (rc != 0) {
		return rc;
	}
	v = talloc_array(mem, struct wg_printer_value, p->f.nvals);
	if (v == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->f.nvals; i++) {
		const struct wg_printer_value *s = &p->f.vals[i];

		v[i] = *s;
		v[i].key = talloc_strdup(v, s->key);
		v[i].name = s->name != NULL ? talloc_strdup(v, s->name) : NULL;
		v[i].data = s->len > 0 ? talloc_memdup(v, s->data, s->len) :
			    NULL;
		if (v[i].key == NULL ||
		    (s->name != NULL && v[i].name == NULL) ||
		    (s->len > 0 && v[i].data == NULL)) {
			talloc_free(v);
			return -ENOMEM;
		}
	}
	*out = v;
	*n = p->f.nvals;
	return 0;
}

/* Where key\name is in p (name NULL: the key's own entry); -1: nowhere. */
static ssize_t value_index(const struct rt_printer *p, const char *key,
			   const char *name)
{
	for (size_t i = 0; i < p->f.nvals; i++) {
		const struct wg_printer_value *v = &p->f.vals[i];

		if (strcasecmp(v->key, key) != 0 ||
		    (v->name == NULL) != (name == NULL)) {
			continue;
		}
		if (name == NULL || strcasecmp(v->name, name) == 0) {
			return (ssize_t)i;
		}
	}
	return -1;
}

static int op_data_set(void *priv, const char *printer,
		       const struct wg_printer_value *nv,
		       const char *client_ip)
{
	struct print_ctx *pc = priv;
	struct rt_printer *p = NULL;
	struct wg_printer_value *v = NULL, c = {};
	ssize_t at = -1;
	size_t bytes = 0;
	int rc = rt_lookup(pc, printer, &p);

	if (rc != 0) {
		return rc;
	}
	at = value_index(p, nv->key, nv->name);
	if (at >= 0 && nv->name == NULL) {
		return 0;	/* the key is there */
	}
	bytes = p->bytes + value_bytes(nv) -
		(at >= 0 ? value_bytes(&p->f.vals[at]) : 0);
	if ((at < 0 && p->f.nvals >= RT_MAX_VALUES) ||
	    bytes > RT_MAX_DATA_BYTES) {
		smbd_budget_hit_addr(pc->srv, client_ip,
				     SMBD_BUDGET_PRINTER_DATA,
				     at < 0 && p->f.nvals >= RT_MAX_VALUES ?
				     RT_MAX_VALUES : RT_MAX_DATA_BYTES);
		return -ENOSPC;
	}
	c.key = talloc_strdup(p->f.vals, nv->key);
	c.name = nv->name != NULL ? talloc_strdup(p->f.vals, nv->name) : NULL;
	c.type = nv->type;
	c.len = nv->len;
	c.data = nv->len > 0 ? talloc_memdup(p->f.vals, nv->data, nv->len) :
		 NULL;
	if (c.key == NULL || (nv->name != NULL && c.name == NULL) ||
	    (nv->len > 0 && c.data == NULL)) {
		talloc_free(c.key);
		talloc_free(c.name);
		talloc_free(c.data);
		return -ENOMEM;
	}
	if (at < 0) {
		v = talloc_realloc(p, p->f.vals, struct wg_printer_value,
				   p->f.nvals + 1);
		if (v == NULL) {
			return -ENOMEM;
		}
		p->f.vals = v;
		at = (ssize_t)p->f.nvals++;
	} else {
		talloc_free(p->f.vals[at].key);
		talloc_free(p->f.vals[at].name);
		talloc_free(p->f.vals[at].data);
	}
	p->f.vals[at] = c;
	p->bytes = bytes;
	return rt_save(pc->rt);
}

/* Is key k at or below key top? */
static bool key_under(const char *k, const char *top)
{
	size_t n = strlen(top);

	return strncasecmp(k, top, n) == 0 && (k[n] == '\0' || k[n] == '\\');
}

static void value_remove(struct rt_printer *p, size_t i)
{
	p->bytes -= value_bytes(&p->f.vals[i]);
	talloc_free(p->f.vals[i].key);
	talloc_free(p->f.vals[i].name);
	talloc_free(p->f.vals[i].data);
	memmove(&p->f.vals[i], &p->f.vals[i + 1],
		(p->f.nvals - i - 1) * sizeof(p->f.vals[0]));
	p->f.nvals--;
}

/* Has p an entry (a value or the key itself) of key? */
static bool key_in_use(const struct rt_printer *p, const char *key)
{
	for (size_t i = 0; i < p->f.nvals; i++) {
		if (strcasecmp(p->f.vals[i].key, key) == 0) {
			return true;
		}
	}
	return false;
}

static int op_data_delete(void *priv, const char *printer, const char *key,
			  const char *name)
{
	struct print_ctx *pc = priv;
	struct rt_printer *p = NULL;
	bool found = false;
	ssize_t at = -1;
	int rc = rt_lookup(pc, printer, &p);

	if (rc != 0) {
		return rc;
	}
	if (name != NULL) {
		at = value_index(p, key, name);
		if (at < 0) {
			return -ENOENT;
		}
		value_remove(p, (size_t)at);
		if (!key_in_use(p, key)) {
			/* the key stays, as a registry key does */
			struct wg_printer_value k = { .key = (char *)key };

			return op_data_set(priv, printer, &k, NULL);
		}
		return rt_save(pc->rt);
	}
	for (size_t i = p->f.nvals; i > 0; i--) {
		if (key_under(p->f.vals[i - 1].key, key)) {
			value_remove(p, i - 1);
			found = true;
		}
	}
	if (!found) {
		return -ENOENT;
	}
	if (strrchr(key, '\\') != NULL) {
		/* the key above stays, as a registry key's parent does */
		char *parent = talloc_strndup(NULL, key,
					      (size_t)(strrchr(key, '\\') -
						       key));
		bool used = false;
		int rc2 = 0;

		if (parent == NULL) {
			return -ENOMEM;
		}
		for (size_t i = 0; i < p->f.nvals && !used; i++) {
			used = key_under(p->f.vals[i].key, parent);
		}
		if (!used) {
			struct wg_printer_value k = { .key = parent };

			rc2 = op_data_set(priv, printer, &k, NULL);
		}
		talloc_free(parent);
		if (rc2 != 0) {
			return rc2;
		}
	}
	return rt_save(pc->rt);
}

void rt_printers_set_ops(struct wg_print_ops *ops)
{
	ops->printer_get = op_printer_get;
	ops->printer_add = op_printer_add;
	ops->printer_set = op_printer_set;
	ops->printer_delete = op_printer_delete;
	ops->data_list = op_data_list;
	ops->data_set = op_data_set;
	ops->data_delete = op_data_delete;
}
