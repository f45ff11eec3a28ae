/*  rs_simrng: the simulator's random numbers. xoshiro256** seeded through
    splitmix64, so a (seed, stream) pair always draws the same sequence on
    every machine (a well's run is reproducible from its seed); gaussians by
    the polar method. Pure, no global state. */
#ifndef RS_SIMRNG_H
#define RS_SIMRNG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
    double spare;
    bool has_spare;
} rs_simrng_t;

//  Starts the generator; different streams of one seed are independent.
void rs_simrng_seed (rs_simrng_t *r, uint64_t seed, uint64_t stream);
uint64_t rs_simrng_next (rs_simrng_t *r);
//  Uniform in [0, 1).
double rs_simrng_u (rs_simrng_t *r);
//  Uniform in [lo, hi).
double rs_simrng_range (rs_simrng_t *r, double lo, double hi);
//  Standard normal.
double rs_simrng_gauss (rs_simrng_t *r);
//  Exponential with the given mean.
double rs_simrng_exp (rs_simrng_t *r, double mean);
//  Log-uniform in [lo, hi): every decade of size equally likely.
double rs_simrng_log (rs_simrng_t *r, double lo, double hi);

#endif
