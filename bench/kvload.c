// kvload: the project's lean load generator for plain sets and gets, on the kvs protocol (frames of CBOR,
// docs/PROTOCOL.md) or RESP, run against kvs-server and Redis alike (bench/perf.sh). One thread, epoll, C
// connections, in the style of redis-benchmark and bench/txload.c: each connection sends P requests at once
// and sends the next P when all P have been answered; keys are key:%012d, random over the key space; values
// are VALUE_BYTES of 'x'. A request's latency runs from its send to its reply. The first half second is a
// warm-up, not counted.
//
//   kvs:  set = frame {"op": "set", "key": k, "value": v}, get = frame {"op": "get", "key": k}; a reply
//         {"ok": false, ...} (map head, "ok", then f4) counts as an error.
//   resp: SET k v, GET k as arrays of bulk strings; a -ERR reply counts as an error, +OK, $n and $-1 do not.
//
// build: gcc -O2 -Wall -Wextra -o kvload bench/kvload.c
// usage: kvload -p kvs|resp -a HOST:PORT -t set|get -c CLIENTS -P PIPELINE -d VALUE_BYTES -r KEYS -s SECONDS
//        (defaults: kvs, 127.0.0.1:4000, set, 50, 1, 16, 100000, 5)
// prints: proto=.. op=.. c=.. P=.. d=.. rps=.. p50_us=.. p99_us=.. errors=..
#define _GNU_SOURCE
#include <errno.h>
#include <sys/epoll.h>

#include "load.h"

static int resp = 0, set = 1, clients = 50, pipeline = 1, vsize = 16, keyspace = 100000;
static double seconds = 5;
static int port = 4000;
static uint64_t answered, errors;

typedef struct {
  int fd;
  char *out, *in;
  int outlen, outoff, inlen, incap;
  int inflight;      // requests sent and not yet answered (all of one batch)
  int waiting_out;   // EPOLLOUT asked for: the batch did not go out in one write
  uint64_t sent_at;  // when the batch was sent
} conn;

// One request's bytes, built once; each request is a copy with the key's 12 digits written at digits_at.
static char *request;
static int request_len, digits_at;

static int cbor_head(unsigned char *p, int major, uint32_t n) {
  if (n < 24) { p[0] = major << 5 | n; return 1; }
  if (n < 256) { p[0] = major << 5 | 24; p[1] = n; return 2; }
  if (n < 65536) { p[0] = major << 5 | 25; p[1] = n >> 8; p[2] = n; return 3; }
  p[0] = major << 5 | 26; p[1] = n >> 24; p[2] = n >> 16; p[3] = n >> 8; p[4] = n;
  return 5;
}

static int cbor_text(unsigned char *p, const char *s, int n) {
  int h = cbor_head(p, 3, n);
  memcpy(p + h, s, n);
  return h + n;
}

static void build_request(void) {
  const char *key = "key:000000000000"; // 16 bytes, the digits from 4
  request = malloc(vsize + 128);
  unsigned char *p = (unsigned char *)request;
  int n = 0;
  if (resp) {
    n = sprintf(request, set ? "*3\r\n$3\r\nSET\r\n$16\r\n" : "*2\r\n$3\r\nGET\r\n$16\r\n");
    digits_at = n + 4;
    n += sprintf(request + n, "%s\r\n", key);
    if (set) {
      n += sprintf(request + n, "$%d\r\n", vsize);
      memset(request + n, 'x', vsize);
      n += vsize;
      memcpy(request + n, "\r\n", 2);
      n += 2;
    }
  } else {
    n = 4; // the frame's length, written below
    n += cbor_head(p + n, 5, set ? 3 : 2);
    n += cbor_text(p + n, "op", 2);
    n += cbor_text(p + n, set ? "set" : "get", 3);
    n += cbor_text(p + n, "key", 3);
    digits_at = n + 1 + 4; // after the text head (one byte for 16) and "key:"
    n += cbor_text(p + n, key, 16);
    if (set) {
      n += cbor_text(p + n, "value", 5);
      n += cbor_head(p + n, 3, vsize);
      memset(p + n, 'x', vsize);
      n += vsize;
    }
    uint32_t body = n - 4;
    p[0] = body >> 24; p[1] = body >> 16; p[2] = body >> 8; p[3] = body;
  }
  request_len = n;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull; // xorshift64*, seeded the same every run

static uint32_t next_key(void) {
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32) % (uint32_t)keyspace;
}

// Puts a batch of P requests in c->out (empty before) and stamps it.
static void fill(conn *c) {
  char *d = c->out;
  for (int i = 0; i < pipeline; i++, d += request_len) {
    memcpy(d, request, request_len);
    uint32_t k = next_key();
    for (int j = 11; j >= 0; j--, k /= 10) d[digits_at + j] = '0' + k % 10;
  }
  c->outlen = pipeline * request_len;
  c->outoff = 0;
  c->inflight = pipeline;
  c->sent_at = now_ns();
}

// Writes what c->out holds; asks epoll for EPOLLOUT while some of it is left. Returns -1 on a broken connection.
static int flush_out(int ep, conn *c, int i) {
  while (c->outoff < c->outlen) {
    ssize_t w = write(c->fd, c->out + c->outoff, c->outlen - c->outoff);
    if (w > 0) { c->outoff += w; continue; }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno != EAGAIN) return -1;
    break;
  }
  int want = c->outoff < c->outlen;
  if (want != c->waiting_out) {
    struct epoll_event ev = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.u32 = i};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->waiting_out = want;
  }
  return 0;
}

// The length of one whole reply at p, or 0 if it is not all there; *err = 1 for an error reply.
static int reply(const unsigned char *p, int len, int *err) {
  if (!resp) {
    if (len < 4) return 0;
    uint32_t n = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    if ((uint64_t)len < 4ull + n) return 0;
    // {"ok": ...} first: a map head (a1..b7), 62 6f 6b, then f5 true or f4 false. Anything else is not a reply
    // this client asked for: an error too.
    *err = n < 5 || (p[4] & 0xe0) != 0xa0 || memcmp(p + 5, "\x62ok", 3) != 0 || p[8] != 0xf5;
    return 4 + n;
  }
  const unsigned char *e = memchr(p, '\n', len);
  if (!e) return 0;
  int line = e - p + 1;
  *err = 0;
  switch (p[0]) {
    case '+': case ':': case '_': return line;
    case '$': {
      int n = atoi((const char *)p + 1);
      if (n < 0) return line;
      if (len < line + n + 2) return 0;
      return line + n + 2;
    }
    default: *err = 1; return line; // '-', or a reply no SET or GET gets
  }
}

int main(int argc, char **argv) {
  int o;
  while ((o = getopt(argc, argv, "p:a:t:c:P:d:r:s:")) != -1) {
    switch (o) {
      case 'p':
        if (strcmp(optarg, "kvs") && strcmp(optarg, "resp")) { fprintf(stderr, "kvload: -p kvs or resp\n"); return 2; }
        resp = !strcmp(optarg, "resp");
        break;
      case 'a':
        if (!parse_addr(optarg, &port)) { fprintf(stderr, "kvload: -a takes HOST:PORT\n"); return 2; }
        break;
      case 't':
        if (strcmp(optarg, "set") && strcmp(optarg, "get")) { fprintf(stderr, "kvload: -t set or get\n"); return 2; }
        set = !strcmp(optarg, "set");
        break;
      case 'c': clients = atoi(optarg); break;
      case 'P': pipeline = atoi(optarg); break;
      case 'd': vsize = atoi(optarg); break;
      case 'r': keyspace = atoi(optarg); break;
      case 's': seconds = atof(optarg); break;
      default:
        fprintf(stderr, "usage: kvload -p kvs|resp -a HOST:PORT -t set|get -c CLIENTS -P PIPELINE -d VALUE_BYTES -r KEYS -s SECONDS\n");
        return 2;
    }
  }
  if (clients < 1 || pipeline < 1 || vsize < 0 || vsize > (1 << 20) || keyspace < 1 ||
      (long long)pipeline * (vsize + 128) > (1 << 28)) {
    fprintf(stderr, "kvload: -c, -P, -r must be positive, -d 0 to 1048576, and a batch (P x the request) at most 256 MiB\n");
    return 2;
  }
  build_request();
  int ep = epoll_create1(0);
  conn *cs = calloc(clients, sizeof(conn));
  for (int i = 0; i < clients; i++) {
    conn *c = &cs[i];
    if ((c->fd = connect_to(port, "kvload")) < 0) return 1;
    c->out = malloc((size_t)pipeline * request_len);
    c->incap = pipeline * (vsize + 64) + 65536; // a batch of replies, each at most the value and a few bytes
    c->in = malloc(c->incap);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
  }
  for (int i = 0; i < clients; i++) {
    fill(&cs[i]);
    if (flush_out(ep, &cs[i], i) < 0) { fprintf(stderr, "kvload: connection closed by server\n"); return 1; }
  }
  uint64_t start = now_ns(), warm_end = start + 500000000ull, end = warm_end + (uint64_t)(seconds * 1e9);
  int measuring = 0;
  struct epoll_event evs[1024];
  for (;;) {
    uint64_t t = now_ns();
    if (!measuring && t >= warm_end) { measuring = 1; start = t; }
    if (t >= end) break;
    int n = epoll_wait(ep, evs, 1024, 100);
    for (int k = 0; k < n; k++) {
      int i = evs[k].data.u32;
      conn *c = &cs[i];
      if ((evs[k].events & EPOLLOUT) && flush_out(ep, c, i) < 0) { fprintf(stderr, "kvload: connection closed by server\n"); return 1; }
      if (!(evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
      ssize_t r = read(c->fd, c->in + c->inlen, c->incap - c->inlen);
      if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) { fprintf(stderr, "kvload: connection closed by server\n"); return 1; }
      if (r < 0) continue;
      c->inlen += r;
      int off = 0, used, err = 0, got = 0, bad = 0;
      while (c->inflight > 0 && (used = reply((unsigned char *)c->in + off, c->inlen - off, &err)) > 0) {
        off += used;
        c->inflight--;
        got++;
        bad += err;
      }
      if (got) {
        if (measuring) {
          record_latency((now_ns() - c->sent_at) / 1000, got);
          answered += got;
          errors += bad;
        }
        if (off < c->inlen) memmove(c->in, c->in + off, c->inlen - off);
        c->inlen -= off;
      } else if (c->inlen == c->incap) { // one reply larger than the buffer: make room
        c->incap *= 2;
        c->in = realloc(c->in, c->incap);
      }
      if (c->inflight == 0 && c->outoff == c->outlen) {
        fill(c);
        if (flush_out(ep, c, i) < 0) { fprintf(stderr, "kvload: connection closed by server\n"); return 1; }
      }
    }
  }
  double el = (now_ns() - start) / 1e9;
  uint64_t p50, p99;
  percentiles(answered, &p50, &p99);
  printf("proto=%s op=%s c=%d P=%d d=%d rps=%.0f p50_us=%llu p99_us=%llu errors=%llu\n", resp ? "resp" : "kvs",
         set ? "set" : "get", clients, pipeline, vsize, answered / el, (unsigned long long)p50, (unsigned long long)p99,
         (unsigned long long)errors);
  return 0;
}
