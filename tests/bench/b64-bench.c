/* SPDX-License-Identifier: MIT */
/*
 * b64-bench: the base64 encoder alone, in memory.  Prints GB/s (10^9
 * input octets per second), best of 5 runs over MIB MiB in 57 KiB chunks.
 *   b64-bench [MIB]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "encode.h"

int
main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 256;
	size_t chunk = 57 * 1024, n = mib << 20, i, sink = 0;
	unsigned char *in = malloc(chunk);
	char *out = malloc(b64_update_bound(chunk));
	double best = 0;
	int run;

	if (in == NULL || out == NULL || mib == 0 || mib > 65536)
		return 1;
	for (i = 0; i < chunk; i++)
		in[i] = (unsigned char)(i * 2654435761u >> 13);
	for (run = 0; run < 5; run++) {
		struct timespec a, b;
		struct b64 e;
		double s;

		b64_init(&e);
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (i = 0; i < n; i += chunk)
			sink += b64_update(&e, in, chunk, out);
		sink += b64_final(&e, out);
		clock_gettime(CLOCK_MONOTONIC, &b);
		s = (double)(b.tv_sec - a.tv_sec) +
		    (double)(b.tv_nsec - a.tv_nsec) / 1e9;
		if (n / s > best)
			best = n / s;
	}
	printf("base64 encoder: %.2f GB/s (%zu MiB, best of 5; %zu)\n",
	    best / 1e9, mib, sink % 10);
	free(in);
	free(out);
	return 0;
}
