"""The peak memory of a child interpreter, for tests that hold a reader to a
memory ceiling.

Read it inside the child from /proc/self/status (VmHWM, the high-water mark of the
child's own address space), not from getrusage: Linux carries ru_maxrss across
exec, so a child started by a pytest process that has grown to 700 MB reports
700 MB whatever it did itself (this made the ceiling tests fail in the full suite
only)."""

# Python source for the child: sets `peak` to its peak resident memory in MiB.
PEAK_MIB_SOURCE = (
    "peak = next(int(line.split()[1]) for line in open('/proc/self/status') "
    "if line.startswith('VmHWM:')) / 1024\n"
)
