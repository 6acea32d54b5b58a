from benchmarks.base import command_for
from benchmarks.statistics import StatisticsBenchmark

Command = command_for(StatisticsBenchmark)
