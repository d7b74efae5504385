"""Sequences: tables with many rows per entity, ordered in time (``SequencePillarsSynthesizer``)."""
