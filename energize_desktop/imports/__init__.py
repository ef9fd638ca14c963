"""File readers: sniff a file, parse it, yield batches of readings with their channels.

Green Button XML, NEM12, EPW and TMY3 weather files, utility bills and CSV of any shape. Readers
never write the workspace (jobs/importer does, in one transaction per file).
"""
