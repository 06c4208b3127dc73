// What bench/kvload.c and bench/txload.c share: the clock, the latency histogram, the -a option and
// connecting. Each is one file that includes this: gcc -O2 -o kvload bench/kvload.c
#ifndef KVS_BENCH_LOAD_H
#define KVS_BENCH_LOAD_H
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char host[64] = "127.0.0.1";

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + t.tv_nsec;
}

#define NB 100000 // latency histogram: 1 us buckets up to 100 ms
static uint64_t hist[NB + 1];

// Counts n answers that took lat_us microseconds.
static void record_latency(uint64_t lat_us, uint64_t n) { hist[lat_us > NB ? NB : lat_us] += n; }

// The median and the 99th percentile of the total answers recorded, in microseconds.
static void percentiles(uint64_t total, uint64_t *p50, uint64_t *p99) {
  uint64_t cum = 0;
  *p50 = *p99 = 0;
  for (int i = 0; i <= NB; i++) {
    cum += hist[i];
    if (!*p50 && cum >= total / 2) *p50 = i;
    if (!*p99 && cum >= total * 99 / 100) { *p99 = i; break; }
  }
}

// Reads -a HOST:PORT into host and *port; 0 if it is not that.
static int parse_addr(char *arg, int *port) {
  char *colon = strrchr(arg, ':');
  if (!colon) return 0;
  *colon = 0;
  snprintf(host, sizeof host, "%s", arg);
  *port = atoi(colon + 1);
  return 1;
}

// A non-blocking TCP_NODELAY connection to host:port (IPv4), or -1 with why on stderr.
static int connect_to(int port, const char *who) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  if (inet_pton(AF_INET, host, &a.sin_addr) != 1) { fprintf(stderr, "%s: %s is not an IPv4 address\n", who, host); return -1; }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) { fprintf(stderr, "%s: connect: ", who); perror(""); close(fd); return -1; }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(fd, F_SETFL, O_NONBLOCK);
  return fd;
}
#endif
