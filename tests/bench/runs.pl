#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# tests/bench/runs.pl N INPUT COMMAND [ARGS...]: run COMMAND N times (N is
# capped at 100000), each with stdin from INPUT (a file, or /dev/null) and
# stdout/stderr to /dev/null, one after another; print
#   "median_wall_ms mean_wall_ms cpu_ms_per_run failures"
# Wall time is taken on CLOCK_MONOTONIC around fork/exec/wait of each run;
# CPU is user+sys of all children divided by N, from getrusage(2)
# (RUSAGE_CHILDREN, microseconds) through syscall.ph when perl has it,
# else from times(2), whose 10 ms ticks make the mean of N runs of a few
# ms coarse (0.2 ms at N=50).  Used by the benchmarks in tests/bench/.
use strict;
use warnings;
use POSIX qw(_exit);
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);

my ($n, $input, @cmd) = @ARGV;
die "usage: runs.pl N INPUT COMMAND...\n" unless defined $input && @cmd;
$n = 1 if $n < 1;
$n = 100000 if $n > 100000;
# user+sys seconds of the waited-for children so far
my $rusage = eval {
	die "not LP64\n" unless length(pack("l!", 0)) == 8;
	require 'syscall.ph';
	my $nr = &SYS_getrusage;
	sub {
		my $buf = "\0" x 256;	# struct rusage is 144 bytes on LP64
		syscall($nr, -1, $buf) == 0 or die "getrusage: $!\n";
		my ($us, $uu, $ss, $su) = unpack("q4", $buf);
		return $us + $ss + ($uu + $su) / 1e6;
	};
} || sub { my @t = times; return $t[2] + $t[3]; };
my (@wall, $fail);
$fail = 0;
my $c0 = $rusage->();
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
my $cpu = ($rusage->() - $c0) * 1000 / $n;
my @s = sort { $a <=> $b } @wall;
my $med = @s % 2 ? $s[$#s / 2] : ($s[@s / 2 - 1] + $s[@s / 2]) / 2;
my $sum = 0;
$sum += $_ for @wall;
printf "%.3f %.3f %.3f %d\n", $med, $sum / $n, $cpu, $fail;
