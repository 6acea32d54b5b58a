from benchmarks.access_log import AccessLogBenchmark
from benchmarks.base import command_for

Command = command_for(AccessLogBenchmark)
