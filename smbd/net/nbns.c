/*
 * nbns.c - the NetBIOS name service on UDP (see nbns.h): one socket per
 * IPv4 listen address on tevent; each datagram is decoded by
 * proto/nbns.c, matched against our three names and answered from the
 * address it came in on. Replies are rate-limited per source and in all,
 * because a node status reply is three times the size of its query and
 * a UDP source address can be forged.
 */
#include "smbd/net/nbns.h"
#include "proto/nbns.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* TTL of our name query answers, as Windows sends it (seconds). */
#define NBNS_TTL		300000
/* Datagrams read per wakeup, so one busy socket cannot starve the loop. */
#define NBNS_BATCH		32
/* Replies one source address may get at once, and then per second. */
#define NBNS_SRC_BURST		10
#define NBNS_SRC_PER_SEC	5
/* Replies to every source together, per second. */
#define NBNS_ALL_PER_SEC	200
/* Source addresses remembered for the per-source limit. */
#define NBNS_SRC_SLOTS		128
/* Our names: NAME<00>, NAME<20>, WORKGROUP<00> (group). */
#define NBNS_NAMES		3

struct nbns_src {
	uint32_t addr;		/* network order; 0 = free slot */
	uint64_t last_ms;	/* last refill */
	uint32_t tokens_milli;	/* replies left, in thousandths */
};

struct nbns_sock {
	struct smbd_nbns *nb;
	int fd;
	struct in_addr bound;
	struct tevent_fd *fde;
};

struct smbd_nbns {
	struct smbd_server *srv;
	struct nbns_sock **socks;
	size_t nsocks;
	struct nbns_src src[NBNS_SRC_SLOTS];
	uint64_t all_window_ms;	/* start of the current second */
	uint32_t all_count;	/* replies in it */
	struct smbd_nbns_stats stats;
};

static void nbns_readable(struct tevent_context *ev, struct tevent_fd *fde,
			  uint16_t flags, void *private_data);

static int nbns_sock_destructor(struct nbns_sock *s)
{
	TALLOC_FREE(s->fde);
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts = {};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * May addr get one more reply? A token bucket per source (the least
 * recently seen slot is reused for a new source) under a cap for all.
 */
static bool rate_allow(struct smbd_nbns *nb, uint32_t addr)
{
	const uint32_t full = NBNS_SRC_BURST * 1000;
	uint64_t now = now_ms();
	struct nbns_src *slot = NULL;
	struct nbns_src *oldest = &nb->src[0];

	if (now - nb->all_window_ms >= 1000) {
		nb->all_window_ms = now;
		nb->all_count = 0;
	}
	if (nb->all_count >= NBNS_ALL_PER_SEC) {
		return false;
	}
	for (size_t i = 0; i < NBNS_SRC_SLOTS; i++) {
		if (nb->src[i].addr == addr) {
			slot = &nb->src[i];
			break;
		}
		if (nb->src[i].last_ms < oldest->last_ms) {
			oldest = &nb->src[i];
		}
	}
	if (slot == NULL) {
		slot = oldest;
		slot->addr = addr;
		slot->last_ms = now;
		slot->tokens_milli = full;
	} else {
		uint64_t add = (now - slot->last_ms) * NBNS_SRC_PER_SEC;

		slot->tokens_milli = add >= full - slot->tokens_milli ?
			full : slot->tokens_milli + (uint32_t)add;
		slot->last_ms = now;
	}
	if (slot->tokens_milli < 1000) {
		return false;
	}
	slot->tokens_milli -= 1000;
	nb->all_count++;
	return true;
}

/* NAME<00>, NAME<20> unique; WORKGROUP<00> a group. */
static void our_names(const struct wg_config *cfg,
		      struct nbns_status_name names[NBNS_NAMES])
{
	memset(names, 0, NBNS_NAMES * sizeof(names[0]));
	snprintf(names[0].name.name, sizeof(names[0].name.name), "%s",
		 cfg->netbios_name);
	names[0].name.suffix = 0x00;
	names[0].flags = NBNS_NAME_ACTIVE;
	names[1] = names[0];
	names[1].name.suffix = 0x20;
	snprintf(names[2].name.name, sizeof(names[2].name.name), "%s",
		 cfg->workgroup);
	names[2].name.suffix = 0x00;
	names[2].flags = NBNS_NAME_GROUP | NBNS_NAME_ACTIVE;
}

/* Which of our names q asks for; -1 if none. */
static int find_name(const struct nbns_question *q,
		     const struct nbns_status_name names[NBNS_NAMES])
{
	if (q->has_scope) {
		return -1;	/* we live in no scope */
	}
	for (int i = 0; i < NBNS_NAMES; i++) {
		if (q->name.suffix == names[i].name.suffix &&
		    strcasecmp(q->name.name, names[i].name.name) == 0) {
			return i;
		}
	}
	return -1;
}

/* Send from the address the query came to (IP_PKTINFO). */
static int send_reply(struct nbns_sock *s, const uint8_t *buf, size_t len,
		      const struct sockaddr_in *to, struct in_addr local)
{
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} ctl = {};
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = (void *)to,
		.msg_namelen = sizeof(*to),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	struct in_pktinfo pi = { .ipi_spec_dst = local };

	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	if (sendmsg(s->fd, &msg, MSG_DONTWAIT) < 0) {
		return -errno;
	}
	return 0;
}

/* Build the answer to a query that is ours into w; false if none. */
static bool build_reply(struct smbd_nbns *nb, const struct nbns_header *h,
			const struct nbns_question *q, struct in_addr local,
			struct wire_wr *w)
{
	static const uint8_t zero_mac[6];
	struct nbns_status_name names[NBNS_NAMES];
	int i = 0;

	our_names(nb->srv->cfg, names);
	i = find_name(q, names);
	if (q->type == NBNS_TYPE_NB) {
		if (i < 0) {
			return false;
		}
		nbns_name_query_response_push(w, h->trn_id,
					      (h->nm_flags & NBNS_NM_RD) != 0,
					      q, NBNS_TTL,
					      names[i].flags & NBNS_NAME_GROUP ?
					      NBNS_NB_GROUP : 0,
					      local.s_addr);
		return true;
	}
	/*
	 * node status: for "*" (what nbtstat -A sends) or a name of ours,
	 * asked of us alone: a broadcast one would have every node on the
	 * segment answer at once.
	 */
	if ((h->nm_flags & NBNS_NM_B) != 0) {
		return false;
	}
	if (i < 0 && !(strcmp(q->name.name, "*") == 0 &&
		       q->name.suffix == 0 && !q->has_scope)) {
		return false;
	}
	nbns_node_status_response_push(w, h->trn_id, q, names, NBNS_NAMES,
				       zero_mac);
	return true;
}

static void nbns_datagram(struct nbns_sock *s, const uint8_t *buf,
			  size_t len, const struct sockaddr_in *from,
			  struct in_addr local)
{
	struct smbd_nbns *nb = s->nb;
	struct nbns_header h = {};
	struct nbns_question q = {};
	uint8_t out[NBNS_MAX_PACKET];
	struct wire_wr w;
	char peer[INET_ADDRSTRLEN] = "?";
	int rc = nbns_request_pull(buf, len, &h, &q);

	inet_ntop(AF_INET, &from->sin_addr, peer, sizeof(peer));
	if (rc == WIRE_E_UNSUPPORTED) {
		nb->stats.ignored++;
		return;
	}
	if (rc != 0) {
		nb->stats.malformed++;
		WG_LOG_RL(WG_LOG_NOTICE, WG_CLS_CONN, "nbns: malformed packet "
			  "from %s dropped (%s; %llu so far)", peer,
			  wire_strerror(rc),
			  (unsigned long long)nb->stats.malformed);
		return;
	}
	nb->stats.queries++;
	/* a fixed buffer: the writer may not grow it */
	w = (struct wire_wr) {
		.buf = out,
		.cap = sizeof(out),
		.limit = sizeof(out),
	};
	if (local.s_addr == htonl(INADDR_ANY) ||
	    !build_reply(nb, &h, &q, local, &w)) {
		nb->stats.not_ours++;
		DBG_DEBUG(CONN, "nbns: %s asks for '%s'<%02x>: not ours", peer,
			  q.name.name, q.name.suffix);
		return;
	}
	if (wire_wr_error(&w) != 0) {
		nb->stats.malformed++;
		return;
	}
	if (!rate_allow(nb, from->sin_addr.s_addr)) {
		nb->stats.rate_limited++;
		WG_LOG_RL(WG_LOG_NOTICE, WG_CLS_CONN, "nbns: replies to %s "
			  "over the rate limit, not answered (%llu so far)",
			  peer, (unsigned long long)nb->stats.rate_limited);
		return;
	}
	rc = send_reply(s, w.buf, w.len, from, local);
	if (rc != 0) {
		WG_LOG_RL(WG_LOG_NOTICE, WG_CLS_CONN, "nbns: reply to %s: %s",
			  peer, strerror(-rc));
		return;
	}
	nb->stats.answered++;
	DBG_DEBUG(CONN, "nbns: answered %s for '%s'<%02x> (%s)", peer,
		  q.name.name, q.name.suffix,
		  q.type == NBNS_TYPE_NB ? "name query" : "node status");
}

/* A source we never answer: nothing, broadcast, multicast, port 0. */
static bool bad_source(const struct sockaddr_in *from)
{
	uint32_t a = ntohl(from->sin_addr.s_addr);

	return from->sin_port == 0 || a == INADDR_ANY ||
	       a == INADDR_BROADCAST || IN_MULTICAST(a);
}

static void nbns_readable(struct tevent_context *ev, struct tevent_fd *fde,
			  uint16_t flags, void *private_data)
{
	struct nbns_sock *s = private_data;

	for (int i = 0; i < NBNS_BATCH; i++) {
		uint8_t buf[NBNS_MAX_PACKET + 1];
		union {
			struct cmsghdr align;
			uint8_t buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		} ctl = {};
		struct sockaddr_in from = {};
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = ctl.buf,
			.msg_controllen = sizeof(ctl.buf),
		};
		struct in_addr local = s->bound;
		struct cmsghdr *c = NULL;
		ssize_t n = recvmsg(s->fd, &msg, MSG_DONTWAIT);

		if (n < 0) {
			return;		/* EAGAIN, or an ICMP error queued */
		}
		for (c = CMSG_FIRSTHDR(&msg); c != NULL;
		     c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level == IPPROTO_IP &&
			    c->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi;

				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				local = pi.ipi_spec_dst;
			}
		}
		if (msg.msg_namelen != sizeof(from) ||
		    from.sin_family != AF_INET || bad_source(&from)) {
			s->nb->stats.ignored++;
			continue;
		}
		if ((msg.msg_flags & MSG_TRUNC) != 0 ||
		    (size_t)n > NBNS_MAX_PACKET) {
			s->nb->stats.malformed++;
			continue;
		}
		nbns_datagram(s, buf, (size_t)n, &from, local);
	}
}

static int open_one(struct smbd_nbns *nb, struct in_addr addr, uint16_t port,
		    const char *name)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr = addr,
	};
	struct nbns_sock *s = NULL;
	struct nbns_sock **socks = NULL;
	int one = 1;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int rc = 0;

	if (fd < 0) {
		rc = -errno;
		DBG_ERR(GEN, "nbns: socket: %s", strerror(errno));
		return rc;
	}
	/* No SO_REUSEADDR: UDP has no TIME_WAIT to wait out, and with it a
	 * second name server (another wgsmbd, nmbd) could bind the same
	 * address and port silently and take the queries meant for us. */
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		rc = -errno;
		DBG_ERR(GEN, "nbns: bind %s UDP port %u: %s", name, port,
			strerror(errno));
		close(fd);
		return rc;
	}
	s = talloc_zero(nb, struct nbns_sock);
	socks = talloc_realloc(nb, nb->socks, struct nbns_sock *,
			       nb->nsocks + 1);
	if (s == NULL || socks == NULL) {
		talloc_free(s);
		close(fd);
		return -ENOMEM;
	}
	nb->socks = socks;
	s->nb = nb;
	s->fd = fd;
	s->bound = addr;
	talloc_set_destructor(s, nbns_sock_destructor);
	nb->socks[nb->nsocks++] = s;
	DBG_NOTICE(GEN, "NetBIOS name service on %s UDP port %u", name, port);
	return 0;
}

int smbd_nbns_open(struct smbd_server *srv)
{
	const struct wg_config *cfg = srv->cfg;
	static const char *const all[] = { "0.0.0.0", NULL };
	const char *const *addrs = all;
	struct smbd_nbns *nb = NULL;
	int rc = 0;

	if (!cfg->nbns || srv->nbns != NULL) {
		return 0;
	}
	nb = talloc_zero(srv, struct smbd_nbns);
	if (nb == NULL) {
		return -ENOMEM;
	}
	nb->srv = srv;
	if (cfg->listen_addresses != NULL &&
	    cfg->listen_addresses[0] != NULL) {
		addrs = (const char *const *)cfg->listen_addresses;
	}
	for (size_t i = 0; addrs[i] != NULL; i++) {
		struct in_addr a = {};

		if (inet_pton(AF_INET, addrs[i], &a) != 1) {
			continue;	/* IPv6: NetBIOS is IPv4 only */
		}
		rc = open_one(nb, a, cfg->nbns_port, addrs[i]);
		if (rc != 0) {
			talloc_free(nb);
			return rc;
		}
	}
	if (nb->nsocks == 0) {
		DBG_WARN(GEN, "netbios name service: no IPv4 listen address, "
			 "not started");
		talloc_free(nb);
		return 0;
	}
	srv->nbns = nb;
	return 0;
}

void smbd_nbns_start(struct smbd_server *srv)
{
	struct smbd_nbns *nb = srv->nbns;

	if (nb == NULL) {
		return;
	}
	for (size_t i = 0; i < nb->nsocks; i++) {
		struct nbns_sock *s = nb->socks[i];

		if (s->fde == NULL) {
			s->fde = tevent_add_fd(srv->ev, s, s->fd,
					       TEVENT_FD_READ, nbns_readable,
					       s);
		}
	}
}

void smbd_nbns_stop(struct smbd_server *srv)
{
	TALLOC_FREE(srv->nbns);
}

const struct smbd_nbns_stats *smbd_nbns_stats(const struct smbd_server *srv)
{
	return srv->nbns != NULL ? &srv->nbns->stats : NULL;
}
