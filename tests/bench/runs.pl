#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# tests/bench/runs.pl N INPUT COMMAND [ARGS...]: run COMMAND N times (N is
# capped at 100000), each with stdin from INPUT (a file, or /dev/null) and
# stdout/stderr to /dev/null, one after another; print
#   "median_wall_ms mean_wall_ms cpu_ms_per_run failures"
# Wall time is taken on CLOCK_MONOTONIC around fork/exec/wait of each run;
# CPU is user+sys of all children (times(2)) divided by N.  Used by the
# benchmarks in tests/bench/; no modules beyond perl-base.
use strict;
use warnings;
use POSIX qw(_exit);
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);

my ($n, $input, @cmd) = @ARGV;
die "usage: runs.pl N INPUT COMMAND...\n" unless defined $input && @cmd;
$n = 1 if $n < 1;
$n = 100000 if $n > 100000;
my (@wall, $fail);
$fail = 0;
my @t0 = times;
for (my $i = 0; $i < $n; $i++) {
	my $s = clock_gettime(CLOCK_MONOTONIC);
	my $pid = fork;
	die "fork: $!\n" unless defined $pid;
	if ($pid == 0) {
		open(STDIN, '<', $input) or _exit(126);
		open(STDOUT, '>', '/dev/null') or _exit(126);
		open(STDERR, '>', '/dev/null') or _exit(126);
		exec { $cmd[0] } @cmd or _exit(127);
	}
	waitpid($pid, 0);
	$fail++ if $? != 0;
	push @wall, (clock_gettime(CLOCK_MONOTONIC) - $s) * 1000;
}
my @t1 = times;
my $cpu = (($t1[2] - $t0[2]) + ($t1[3] - $t0[3])) * 1000 / $n;
my @s = sort { $a <=> $b } @wall;
my $med = @s % 2 ? $s[$#s / 2] : ($s[@s / 2 - 1] + $s[@s / 2]) / 2;
my $sum = 0;
$sum += $_ for @wall;
printf "%.3f %.3f %.3f %d\n", $med, $sum / $n, $cpu, $fail;
