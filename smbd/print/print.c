/*
 * print.c - spooling and the print command (see print.h).
 */
#include "smbd/print/print.h"
#include "smbd/print/print_int.h"
#include "smbd/print/printers.h"
#include "smbd/budget.h"
#include "smbd/fs/open.h"
#include "smbd/fs/workers.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

extern char **environ;

static struct print_ctx *print_ctx(struct smbd_server *srv);

static const struct wg_share_cfg *printer_share(struct smbd_server *srv,
						const char *name)
{
	const struct wg_share_cfg *sh = NULL;

	while (name != NULL && name[0] == '\\') {
		name++;
	}
	if (name != NULL && strchr(name, '\\') != NULL) {
		name = strrchr(name, '\\') + 1;	/* \\server\printer */
	}
	sh = name != NULL ? wg_config_find_share(srv->cfg, name) : NULL;
	if (sh == NULL && name != NULL && print_ctx(srv) != NULL) {
		return rt_printers_share(srv->print, name);
	}
	return sh != NULL && sh->type == WG_SHARE_PRINT ? sh : NULL;
}

/*
 * The print command with its macros turned into shell parameters:
 * "%s" file, "%p" printer, "%J" document, "%U" user become "$1".."$4",
 * and "%j" the job number. Client-chosen names (file, document, user)
 * are passed to the shell as arguments, never parsed by it: no quoting
 * of ours can be escaped from.
 */
static char *expand_command(TALLOC_CTX *mem, const char *cmd,
			    const struct print_job *j)
{
	char *out = talloc_strdup(mem, "");
	const char *p = NULL;

	for (p = cmd; out != NULL && *p != '\0'; p++) {
		if (p[0] != '%' || p[1] == '\0') {
			out = talloc_asprintf_append(out, "%c", *p);
			continue;
		}
		p++;
		switch (*p) {
		case 's':
			out = talloc_strdup_append(out, "\"$1\"");
			break;
		case 'p':
			out = talloc_strdup_append(out, "\"$2\"");
			break;
		case 'J':
			out = talloc_strdup_append(out, "\"$3\"");
			break;
		case 'U':
			out = talloc_strdup_append(out, "\"$4\"");
			break;
		case 'j':
			out = talloc_asprintf_append(out, "%u", j->id);
			break;
		default:
			out = talloc_asprintf_append(out, "%%%c", *p);
			break;
		}
	}
	return out;
}

struct spawn_arg {
	char *command;
	char *file, *printer, *doc, *user;	/* "$1".."$4" */
	int status;
};

/* On a worker: run the command and wait for it. */
static int spawn_run(void *arg)
{
	struct spawn_arg *a = arg;
	char *argv[] = { "/bin/sh", "-c", a->command, "wgsmb-print",
			 a->file, a->printer, a->doc, a->user, NULL };
	pid_t pid = 0;
	int rc = 0;

	rc = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ);
	if (rc != 0) {
		return -rc;
	}
	while (waitpid(pid, &a->status, 0) < 0) {
		if (errno != EINTR) {
			return -errno;
		}
	}
	return 0;
}

struct run_state {
	struct print_ctx *pc;
	uint32_t job_id;
};

static struct print_job *job_find(struct print_ctx *pc, const char *printer,
				   uint32_t id)
{
	struct print_job *j = NULL;

	for (j = pc->jobs; j != NULL; j = j->next) {
		if (j->id == id && (printer == NULL ||
				    strcasecmp(j->printer, printer) == 0)) {
			return j;
		}
	}
	return NULL;
}

static void run_done(struct tevent_req *subreq)
{
	struct run_state *st = tevent_req_callback_data(subreq,
							struct run_state);
	struct print_job *j = NULL;
	void *arg = NULL;
	struct spawn_arg *a = NULL;
	int rc = smbd_job_recv(subreq, st, &arg);

	TALLOC_FREE(subreq);
	a = arg;
	j = job_find(st->pc, NULL, st->job_id);
	if (j != NULL && j->running > 0) {
		j->running--;
	}
	if (rc != 0 || a == NULL || !WIFEXITED(a->status) ||
	    WEXITSTATUS(a->status) != 0) {
		DBG_ERR(GEN, "print job %u: print command failed (%s); the "
			"job stays spooled", st->job_id,
			rc != 0 ? strerror(-rc) : "non-zero exit");
	} else {
		DBG_NOTICE(GEN, "print job %u handed to the print command",
			   st->job_id);
	}
	talloc_free(st);
}

/* Hand a spooled job to its printer's print command (if it has one). */
static void job_hand(struct print_ctx *pc, struct print_job *j)
{
	const struct wg_share_cfg *sh = printer_share(pc->srv, j->printer);
	struct tevent_req *subreq = NULL;
	struct run_state *st = NULL;
	struct spawn_arg *a = NULL;

	if (sh == NULL || sh->print_command == NULL ||
	    sh->print_command[0] == '\0') {
		return;		/* kept in the spool directory */
	}
	st = talloc_zero(pc, struct run_state);
	a = talloc_zero(NULL, struct spawn_arg);
	if (st == NULL || a == NULL) {
		goto fail;
	}
	st->pc = pc;
	st->job_id = j->id;
	a->command = expand_command(a, sh->print_command, j);
	a->file = talloc_strdup(a, j->file);
	a->printer = talloc_strdup(a, j->printer);
	a->doc = talloc_strdup(a, j->doc);
	a->user = talloc_strdup(a, j->user);
	if (a->command == NULL || a->file == NULL || a->printer == NULL ||
	    a->doc == NULL || a->user == NULL) {
		goto fail;
	}
	subreq = smbd_job_send(st, pc->srv->ev, pc->srv->workers, NULL,
			       spawn_run, a);
	if (subreq == NULL) {
		goto fail;
	}
	tevent_req_set_callback(subreq, run_done, st);
	j->running++;
	return;
fail:
	talloc_free(a);
	talloc_free(st);
	DBG_ERR(GEN, "print job %u: cannot run the print command; the job "
		"stays spooled", j->id);
}

/* The job is spooled: hand it on, or hold it while it is paused. */
static void job_finish(struct print_ctx *pc, struct print_job *j)
{
	struct stat stt;

	j->done = true;
	if (stat(j->file, &stt) == 0) {
		j->size = (uint64_t)stt.st_size;
	}
	DBG_NOTICE(GEN, "print job %u on '%s' from '%s': %s (%llu bytes)",
		   j->id, j->printer, j->user, j->file,
		   (unsigned long long)j->size);
	if (j->paused) {
		j->held = true;
		return;
	}
	job_hand(pc, j);
}

static void job_unlink(struct print_ctx *pc, struct print_job *j)
{
	if (j->prev != NULL) {
		j->prev->next = j->next;
	} else if (pc->jobs == j) {
		pc->jobs = j->next;
	}
	if (j->next != NULL) {
		j->next->prev = j->prev;
	}
	j->prev = NULL;
	j->next = NULL;
}

/* Put j before `at` in the queue; at NULL: at its end. */
static void job_insert(struct print_ctx *pc, struct print_job *j,
		       struct print_job *at)
{
	struct print_job *last = NULL;

	if (at != NULL) {
		j->next = at;
		j->prev = at->prev;
		if (at->prev != NULL) {
			at->prev->next = j;
		} else {
			pc->jobs = j;
		}
		at->prev = j;
		return;
	}
	for (last = pc->jobs; last != NULL && last->next != NULL;
	     last = last->next) {
	}
	j->prev = last;
	j->next = NULL;
	if (last != NULL) {
		last->next = j;
	} else {
		pc->jobs = j;
	}
}

/* A spooled job whose file is gone (printed and removed) leaves. */
static bool job_gone(const struct print_job *j)
{
	struct stat st;

	return j->done && j->running == 0 && !j->held &&
	       stat(j->file, &st) != 0;
}

static void jobs_prune(struct print_ctx *pc)
{
	struct print_job *j = pc->jobs, *next = NULL;

	for (; j != NULL; j = next) {
		next = j->next;
		if (job_gone(j)) {
			job_unlink(pc, j);
			talloc_free(j);
		}
	}
}

/*
 * Delete a job: its spool file goes. One still being written is only
 * marked: its writer's job_end frees it.
 */
static void job_delete(struct print_ctx *pc, struct print_job *j)
{
	if (j->file != NULL && unlink(j->file) != 0 && errno != ENOENT) {
		DBG_WARN(GEN, "print job %u: cannot remove %s: %s", j->id,
			 j->file, strerror(errno));
	}
	DBG_NOTICE(GEN, "print job %u on '%s' deleted", j->id, j->printer);
	if (!j->done) {
		j->cancelled = true;
		return;
	}
	job_unlink(pc, j);
	talloc_free(j);
}

/* A new job at the end of the queue; NULL: no memory or over budget. */
static struct print_job *job_new(struct print_ctx *pc, const char *printer,
				 const char *doc, const char *user)
{
	struct print_job *j = NULL, *k = NULL;
	unsigned queued = 0;

	jobs_prune(pc);
	for (k = pc->jobs; k != NULL; k = k->next) {
		if (!k->cancelled && strcasecmp(k->printer, printer) == 0) {
			queued++;
		}
	}
	if (queued >= PRINT_MAX_JOBS) {
		smbd_budget_hit_addr(pc->srv, user != NULL ? user : "?",
				     SMBD_BUDGET_PRINT_JOBS, PRINT_MAX_JOBS);
		return NULL;
	}
	j = talloc_zero(pc, struct print_job);
	if (j == NULL) {
		return NULL;
	}
	j->id = ++pc->next_id;
	j->printer = talloc_strdup(j, printer);
	j->doc = talloc_strdup(j, doc != NULL ? doc : "document");
	j->user = talloc_strdup(j, user != NULL ? user : "");
	j->fd = -1;
	j->priority = 1;
	j->submitted = time(NULL);
	if (j->printer == NULL || j->doc == NULL || j->user == NULL) {
		talloc_free(j);
		return NULL;
	}
	job_insert(pc, j, NULL);
	return j;
}

/* A spool-safe copy of a client's file name: [A-Za-z0-9._-], 64 max. */
static char *safe_name(TALLOC_CTX *mem, const char *name)
{
	const char *base = strrchr(name, '/');
	char *out = NULL;
	size_t i = 0;

	base = base != NULL ? base + 1 : name;
	out = talloc_strndup(mem, base, 64);
	for (i = 0; out != NULL && out[i] != '\0'; i++) {
		char c = out[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '-')) {
			out[i] = '_';
		}
	}
	return out;
}

void smbd_print_file_closed(struct smbd_server *srv,
			    const struct wg_share_cfg *share, const char *name,
			    const char *user)
{
	struct print_ctx *pc = print_ctx(srv);
	struct print_job *j = NULL;
	char *from = NULL;
	char *safe = NULL;
	unsigned tries = 0;
	int rc = -1;

	if (pc == NULL) {
		return;
	}
	j = job_new(pc, share->name, name, user);
	if (j == NULL) {
		DBG_ERR(GEN, "print share '%s': no job for %s (no memory, or "
			"the queue is full); the file stays spooled",
			share->name, name);
		return;
	}
	/*
	 * The job takes a name of its own, so the next job a client sends
	 * under the same name cannot overwrite it while it is spooled.
	 */
	from = talloc_asprintf(j, "%s/%s", share->path, name);
	safe = safe_name(j, name);
	rc = -1;
	/* Names left by an earlier run may hold low numbers: skip them. */
	for (tries = 0; from != NULL && safe != NULL && tries < 10000;
	     tries++) {
		j->file = talloc_asprintf(j, "%s/job-%u-%s", share->path,
					  j->id, safe);
		rc = j->file != NULL ?
		     renameat2(AT_FDCWD, from, AT_FDCWD, j->file,
			       RENAME_NOREPLACE) : -1;
		if (rc == 0 || errno != EEXIST) {
			break;
		}
		j->id = ++pc->next_id;
	}
	if (rc != 0) {
		DBG_WARN(GEN, "print job %u: keeping its name %s: %s", j->id,
			 from != NULL ? from : name, strerror(errno));
		j->file = from;
	}
	job_finish(pc, j);
}

/*
 * An open written through a print share is going, and delete on close
 * did not remove its file (SMBD_OPEN_STAGE_KEPT: its fd is closed or on
 * its way to be, fsync first): the file is a job. The share's type is
 * read now, not when the open was written: a reload may have changed it.
 */
static void print_open_closed(struct smbd_open *op, void *priv)
{
	struct smbd_tree *t = op->tree;

	if (!op->ever_written || t == NULL ||
	    t->share->type != WG_SHARE_PRINT) {
		return;
	}
	smbd_print_file_closed(t->sess->conn->srv, t->share, op->path,
			       t->sess->user);
}

static const struct smbd_open_att_ops print_att_ops = {
	.close = print_open_closed,
};

int smbd_print_open_written(struct smbd_open *op)
{
	if (smbd_open_att_find(op, &print_att_ops) != NULL) {
		return 0;
	}
	if (smbd_open_attach(op, op, SMBD_OPEN_STAGE_KEPT, &print_att_ops,
			     NULL) == NULL) {
		return -ENOMEM;
	}
	return 0;
}

/* "<prefix><digits><suffix-start>", the prefix in any case. */
static bool numbered(const char *s, const char *prefix, const char **rest)
{
	size_t n = strlen(prefix);
	const char *p = s + n;

	if (strncasecmp(s, prefix, n) != 0 || *p < '0' || *p > '9') {
		return false;
	}
	while (*p >= '0' && *p <= '9') {
		p++;
	}
	*rest = p;
	return true;
}

bool smbd_print_spool_name(const char *leaf)
{
	const char *rest = NULL;

	if (numbered(leaf, "job-", &rest) && rest[0] == '-') {
		return true;
	}
	return numbered(leaf, "spoolss-", &rest) &&
	       strcasecmp(rest, ".prn") == 0;
}

bool smbd_print_job_owned(struct smbd_server *srv,
			  const struct wg_share_cfg *share, const char *rel,
			  const char *user)
{
	struct print_ctx *pc = srv->print;
	const struct print_job *j = NULL;
	size_t plen = strlen(share->path);

	if (pc == NULL || user == NULL) {
		return false;
	}
	for (j = pc->jobs; j != NULL; j = j->next) {
		if (j->file == NULL || strncmp(j->file, share->path, plen) != 0 ||
		    j->file[plen] != '/' || strcmp(j->file + plen + 1, rel) != 0) {
			continue;
		}
		return strcasecmp(j->user, user) == 0;
	}
	return false;
}

/* Does an open of `user` on the same share hold f (a job being written)? */
static bool print_file_open_by(const struct smbd_file *f,
			       const struct wg_share_cfg *share,
			       const char *user)
{
	size_t i = 0;

	for (i = 0; f != NULL && i < f->nopens; i++) {
		const struct smbd_tree *t = f->opens[i]->tree;

		if (t != NULL && t->share == share &&
		    strcasecmp(t->sess->user, user) == 0) {
			return true;
		}
	}
	return false;
}

NTSTATUS smbd_print_create_guard(struct smbd_server *srv,
				 const struct wg_share_cfg *share,
				 const char *user, bool exists,
				 const char *name, const struct stat *st)
{
	const char *leaf = strrchr(name, '/');
	bool owned = false;

	leaf = leaf != NULL ? leaf + 1 : name;
	if (exists && st != NULL && S_ISDIR(st->st_mode)) {
		return NT_STATUS_OK;	/* the spool directory itself */
	}
	if (!exists && !smbd_print_spool_name(leaf)) {
		return NT_STATUS_OK;
	}
	if (exists && st != NULL && user != NULL) {
		owned = smbd_print_job_owned(srv, share, name, user) ||
			print_file_open_by(smbd_file_find(srv, st->st_dev,
							  st->st_ino),
					   share, user);
	}
	return owned ? NT_STATUS_ACCESS_DENIED :
		       NT_STATUS_OBJECT_NAME_NOT_FOUND;
}

void print_jobs_renamed(struct print_ctx *pc, const char *from,
			const char *to)
{
	for (struct print_job *j = pc->jobs; j != NULL; j = j->next) {
		char *name = NULL;

		if (strcasecmp(j->printer, from) != 0 ||
		    (name = talloc_strdup(j, to)) == NULL) {
			continue;	/* no memory: it keeps the old name */
		}
		talloc_free(j->printer);
		j->printer = name;
	}
}

static int op_list_printers(void *priv, TALLOC_CTX *mem,
			    struct wg_admin_share **out, size_t *n)
{
	struct print_ctx *pc = priv;
	const struct wg_config *c = pc->srv->cfg;
	struct wg_admin_share *v = talloc_zero_array(mem, struct wg_admin_share,
						     c->nshares);
	size_t i = 0, k = 0;

	if (v == NULL) {
		return -ENOMEM;
	}
	for (i = 0; i < c->nshares; i++) {
		const struct wg_share_cfg *sh = &c->shares[i];

		if (sh->type != WG_SHARE_PRINT) {
			continue;
		}
		v[k++] = (struct wg_admin_share) {
			.name = talloc_strdup(v, sh->name),
			.path = talloc_strdup(v, sh->path),
			.comment = talloc_strdup(v, sh->comment != NULL ?
						 sh->comment : ""),
			.type = WG_ADMIN_SHARE_PRINT,
		};
	}
	*out = v;
	*n = k;
	return rt_printers_list(pc, mem, out, n);
}

static void *op_job_start(void *priv, TALLOC_CTX *mem, const char *printer,
			  const char *doc_name, const char *user,
			  uint32_t *job_id)
{
	struct print_ctx *pc = priv;
	const struct wg_share_cfg *sh = printer_share(pc->srv, printer);
	struct print_job *j = NULL;
	unsigned tries = 0;

	if (sh == NULL) {
		return NULL;
	}
	j = job_new(pc, sh->name, doc_name, user);
	if (j == NULL) {
		return NULL;
	}
	/* Files left by an earlier run may hold low numbers: skip them. */
	for (tries = 0; tries < 10000; tries++) {
		j->file = talloc_asprintf(j, "%s/spoolss-%u.prn", sh->path,
					  j->id);
		j->fd = j->file != NULL ?
			open(j->file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			     0600) : -1;
		if (j->fd >= 0 || errno != EEXIST) {
			break;
		}
		j->id = ++pc->next_id;
	}
	if (j->fd < 0) {
		DBG_ERR(GEN, "printer '%s': cannot create %s: %s", sh->name,
			j->file != NULL ? j->file : "(none)", strerror(errno));
		job_unlink(pc, j);
		talloc_free(j);
		return NULL;
	}
	*job_id = j->id;
	return j;
}

static int op_job_write(void *priv, void *job, const uint8_t *data,
			size_t len)
{
	struct print_job *j = job;
	size_t done = 0;

	if (j->cancelled) {
		return -ECANCELED;
	}
	while (done < len) {
		ssize_t w = write(j->fd, data + done, len - done);

		if (w < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -errno;
		}
		done += (size_t)w;
	}
	j->size += len;
	return 0;
}

static int op_job_end(void *priv, void *job)
{
	struct print_ctx *pc = priv;
	struct print_job *j = job;
	int rc = 0;

	if (j->fd >= 0) {
		if (fsync(j->fd) != 0) {
			rc = -errno;
		}
		close(j->fd);
		j->fd = -1;
	}
	if (j->cancelled) {
		job_unlink(pc, j);
		talloc_free(j);
		return 0;
	}
	job_finish(pc, j);
	return rc;
}

static int op_jobs(void *priv, TALLOC_CTX *mem, const char *printer,
		   struct wg_print_job **out, size_t *n)
{
	struct print_ctx *pc = priv;
	const struct wg_share_cfg *sh = printer_share(pc->srv, printer);
	struct print_job *j = NULL;
	struct wg_print_job *v = NULL;
	size_t k = 0, cap = 0;

	*out = NULL;
	*n = 0;
	jobs_prune(pc);
	for (j = pc->jobs; sh != NULL && j != NULL; j = j->next) {
		cap += !j->cancelled && strcasecmp(j->printer, sh->name) == 0;
	}
	v = talloc_zero_array(mem, struct wg_print_job, cap > 0 ? cap : 1);
	if (v == NULL) {
		return -ENOMEM;
	}
	for (j = pc->jobs; sh != NULL && j != NULL && k < cap; j = j->next) {
		struct wg_print_job *o = &v[k];

		if (j->cancelled || strcasecmp(j->printer, sh->name) != 0) {
			continue;
		}
		o->id = j->id;
		o->doc = talloc_strdup(v, j->doc);
		o->user = talloc_strdup(v, j->user);
		o->datatype = talloc_strdup(v, "RAW");
		o->size = j->size;
		o->status = (j->paused ? WG_JOB_STATUS_PAUSED : 0) |
			    (!j->done ? WG_JOB_STATUS_SPOOLING : 0) |
			    (j->running > 0 ? WG_JOB_STATUS_PRINTING : 0);
		o->priority = j->priority;
		o->position = (uint32_t)++k;
		o->submitted = j->submitted;
		if (o->doc == NULL || o->user == NULL || o->datatype == NULL) {
			talloc_free(v);
			return -ENOMEM;
		}
	}
	*out = v;
	*n = k;
	return 0;
}

static struct print_job *printer_job(struct print_ctx *pc,
				     const char *printer, uint32_t id)
{
	const struct wg_share_cfg *sh = NULL;
	struct print_job *j = NULL;

	if (printer != NULL) {
		sh = printer_share(pc->srv, printer);
		if (sh == NULL) {
			return NULL;
		}
	}
	j = job_find(pc, sh != NULL ? sh->name : NULL, id);
	return j != NULL && !j->cancelled && !job_gone(j) ? j : NULL;
}

struct print_job *print_job_of(struct print_ctx *pc, const char *printer,
			       uint32_t id)
{
	return printer_job(pc, printer, id);
}

static int op_job_control(void *priv, const char *printer, uint32_t id,
			  enum wg_job_cmd cmd)
{
	struct print_ctx *pc = priv;
	struct print_job *j = printer_job(pc, printer, id);

	if (j == NULL) {
		return -ENOENT;
	}
	switch (cmd) {
	case WG_JOB_PAUSE:
		j->paused = true;
		return 0;
	case WG_JOB_RESUME:
		j->paused = false;
		if (j->held) {
			j->held = false;
			job_hand(pc, j);
		}
		return 0;
	case WG_JOB_RESTART:
		if (j->done && !j->held) {
			job_hand(pc, j);
		}
		return 0;
	case WG_JOB_CANCEL:
	case WG_JOB_DELETE:
		job_delete(pc, j);
		return 0;
	}
	return -EINVAL;
}

static int op_job_set(void *priv, const char *printer, uint32_t id,
		      const char *doc, uint32_t priority, uint32_t position)
{
	struct print_ctx *pc = priv;
	struct print_job *j = printer_job(pc, printer, id);
	struct print_job *at = NULL;
	uint32_t seen = 0;
	char *d = NULL;

	if (j == NULL) {
		return -ENOENT;
	}
	if (doc != NULL) {
		d = talloc_strdup(j, doc);
		if (d == NULL) {
			return -ENOMEM;
		}
		talloc_free(j->doc);
		j->doc = d;
	}
	if (priority != 0) {
		j->priority = priority;
	}
	if (position == 0) {
		return 0;
	}
	job_unlink(pc, j);
	/* before the printer's job now at `position`, or at the end */
	for (at = pc->jobs; at != NULL; at = at->next) {
		if (at->cancelled || strcasecmp(at->printer, j->printer) != 0) {
			continue;
		}
		if (++seen == position) {
			break;
		}
	}
	job_insert(pc, j, at);
	return 0;
}

void print_jobs_purge(struct print_ctx *pc, const char *share)
{
	struct print_job *j = NULL, *next = NULL;

	for (j = pc->jobs; j != NULL; j = next) {
		next = j->next;
		if (!j->cancelled && strcasecmp(j->printer, share) == 0) {
			job_delete(pc, j);
		}
	}
}

static void op_purge(void *priv, const char *printer)
{
	struct print_ctx *pc = priv;
	const struct wg_share_cfg *sh = printer_share(pc->srv, printer);

	if (sh != NULL) {
		print_jobs_purge(pc, sh->name);
	}
}

static int op_list_jobs(void *priv, TALLOC_CTX *mem, const char *printer,
			uint32_t **ids, char ***names, uint64_t **sizes,
			size_t *n)
{
	struct print_ctx *pc = priv;
	const struct wg_share_cfg *sh = printer_share(pc->srv, printer);
	struct print_job *j = NULL;
	size_t k = 0;

	*ids = talloc_array(mem, uint32_t, 0);
	*names = talloc_array(mem, char *, 0);
	*sizes = talloc_array(mem, uint64_t, 0);
	if (*ids == NULL || *names == NULL || *sizes == NULL) {
		return -ENOMEM;
	}
	for (j = pc->jobs; j != NULL; j = j->next) {
		if (sh == NULL || strcasecmp(j->printer, sh->name) != 0 ||
		    j->cancelled || job_gone(j)) {
			continue;	/* printed and removed by the command */
		}
		*ids = talloc_realloc(mem, *ids, uint32_t, k + 1);
		*names = talloc_realloc(mem, *names, char *, k + 1);
		*sizes = talloc_realloc(mem, *sizes, uint64_t, k + 1);
		if (*ids == NULL || *names == NULL || *sizes == NULL) {
			return -ENOMEM;
		}
		(*ids)[k] = j->id;
		(*names)[k] = talloc_strdup(*names, j->doc);
		(*sizes)[k] = j->size;
		k++;
	}
	*n = k;
	return 0;
}

static struct print_ctx *print_ctx(struct smbd_server *srv)
{
	struct print_ctx *pc = srv->print;

	if (pc != NULL) {
		return pc;
	}
	pc = talloc_zero(srv, struct print_ctx);
	if (pc == NULL) {
		return NULL;
	}
	pc->srv = srv;
	pc->ops = (struct wg_print_ops) {
		.priv = pc,
		.list_printers = op_list_printers,
		.job_start = op_job_start,
		.job_write = op_job_write,
		.job_end = op_job_end,
		.list_jobs = op_list_jobs,
		.jobs = op_jobs,
		.job_control = op_job_control,
		.job_set = op_job_set,
		.purge = op_purge,
	};
	rt_printers_set_ops(&pc->ops);
	job_props_set_ops(&pc->ops);
	srv->print = pc;
	if (rt_printers_init(pc) != 0) {
		srv->print = NULL;
		talloc_free(pc);
		return NULL;
	}
	return pc;
}

const struct wg_share_cfg *smbd_print_find_share(struct smbd_server *srv,
						 const char *name)
{
	struct print_ctx *pc = print_ctx(srv);

	return pc != NULL ? rt_printers_share(pc, name) : NULL;
}

const struct wg_print_ops *smbd_print_ops(struct smbd_server *srv)
{
	struct print_ctx *pc = print_ctx(srv);

	return pc != NULL ? &pc->ops : NULL;
}
