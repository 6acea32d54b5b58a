from benchmarks.base import command_for
from benchmarks.reminders import ReminderDispatchBenchmark

Command = command_for(ReminderDispatchBenchmark)
