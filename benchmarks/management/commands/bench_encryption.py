from benchmarks.base import command_for
from benchmarks.encryption import EncryptionBenchmark

Command = command_for(EncryptionBenchmark)
