from benchmarks.base import command_for
from benchmarks.case_access import CaseAccessBenchmark

Command = command_for(CaseAccessBenchmark)
