/*
 * nbns.h - the NetBIOS name service (RFC 1001/1002) on UDP port 137,
 * with `netbios name service = yes`: answers name queries for the
 * server's names and node status queries (nbtstat -A), so old clients
 * reach \\NAME without DNS. It owns no name on the network (no
 * registration, no defence) and is no WINS server.
 */
#ifndef WG_SMBD_NBNS_H
#define WG_SMBD_NBNS_H

#include "smbd/smbd.h"

/* What the service saw, for logs and tests. */
struct smbd_nbns_stats {
	uint64_t queries;	/* well-formed name/node status queries */
	uint64_t answered;	/* replies sent */
	uint64_t not_ours;	/* queries for names we do not have */
	uint64_t ignored;	/* other packets: registrations, answers */
	uint64_t malformed;	/* dropped: did not parse */
	uint64_t rate_limited;	/* queries not answered: over the rate */
};

/*
 * Bind the UDP sockets: one on each IPv4 'listen addresses' entry (the
 * default 0.0.0.0 hears broadcasts too), port 'nbns port'. Run before
 * privileges are dropped, like the TCP listeners. Nothing when the key
 * is off. Returns 0 or -errno (logged).
 */
int smbd_nbns_open(struct smbd_server *srv);

/* Start answering on the sockets smbd_nbns_open bound (if any). */
void smbd_nbns_start(struct smbd_server *srv);

/* Stop answering and close the sockets (shutdown). */
void smbd_nbns_stop(struct smbd_server *srv);

/* The counters; NULL when the service is not running. */
const struct smbd_nbns_stats *smbd_nbns_stats(const struct smbd_server *srv);

#endif
