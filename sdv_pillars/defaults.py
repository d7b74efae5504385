"""Every tunable default of the pillars, in one place.

Each number here is a decision about evidence or cost; the modules that use it say why in
their docstrings. Synthesizers, ``TablePillars``, the constraints and ``evaluate`` take these
as their defaults, so a change here changes the library, not one caller of it.
"""

from __future__ import annotations

# -- pillar 1: profiling ----------------------------------------------------------------------
MAX_CODES = 10  # whole-number columns with at most this many values are codes (labels)
DATE_SAMPLE = 1_000  # string values tried when guessing a date format
DATE_GUESSES = 20  # distinct values a format is guessed from (month- and day-first)
DATE_PARSE_SHARE = 0.95  # share of those values the format must parse
ID_MIN_ROWS = 10  # a unique string column is an id only with at least this many rows
KEY_DIGIT_SHARE = 0.95  # share of a unique string column's values with a digit, for a key shape
TEXT_MIN_WORDS = 4  # mean words per value that make a many-valued string column free text

# -- pillar 2: rules ----------------------------------------------------------------------------
RULE_THRESHOLD = 0.99  # held-out accuracy / exact share a CART rule must reach
MAX_DEPTH = 5  # depth of the rule trees
CV_FOLDS = 5  # folds of the held-out scores (rules and missingness)
VALIDATION_ROWS = 20_000  # rows SDV's metadata validation sees before mining (SDV's fit sees all)
MINING_MAX_ROWS = 20_000  # rules are searched on a sample of at most this many rows
MIN_SKILL = 0.5  # share of the majority-label baseline's errors a label rule must remove
MIN_INEQUALITY_VIOLATIONS = 10.0  # chance breaks an inequality must have to be a rule
MIN_RULE_ROWS = 20  # fewer rows give no held-out evidence for a rule: none is mined
REPAIR_DONORS = 20  # real rows, nearest in the low value, a broken inequality's repair draws from

# -- pillar 3: missingness ----------------------------------------------------------------------
MAR_ALPHA = 0.01  # significance of the held-out AUC test that calls a column MAR
MAR_MIN_AUC = 0.55  # smallest held-out AUC that is a dependence worth reproducing
MIN_NULLS = 5  # fewer nulls (or values) than this is too few to test
MISSINGNESS_MAX_ROWS = 5_000  # the MCAR/MAR models are fitted on a sample of this many rows
MAX_DONORS = 10_000  # observed rows kept per column for the hot-deck fill
HOT_DECK_MIN_LEAF = 20  # fewest donors a fill is drawn among (a leaf of its column's tree)
RECALIBRATE_MIN_ROWS = 100  # smallest batch whose expected null rate is reset to the real rate

# -- the CART backbone (sequential_cart): disclosure control measured by benchmarks/privacy.py ---
# smallest leaf: every drawn value has at least this many real donors, so one row weighs at
# most 1% in any draw (30 left attribute inference at 0.08-0.09 on two of three tables)
CART_MIN_LEAF = 100
CART_SMOOTHING = "density"  # kernel noise on rare numeric donor values
# the autoregressive CART of sequences keeps 30: a row's memory of the previous one needs
# finer trees (at 100 a visit panel's weight autocorrelation fell from 0.54 to 0.30), and
# the attacks were not measured on sequences
SEQUENCE_CART_MIN_LEAF = 30

# -- sequences ------------------------------------------------------------------------------------
POSITION_LABELS = 10  # a row's position is a label "0".."8", "9+" for the missingness models
# A number is drawn as steps when its steps vary less than this share of its variance inside
# sequences (benchmarks: at 1.0 pbcseq lost 0.012 overall; at 0.25 only trends are stepped)
STEP_VARIANCE_SHARE = 0.25

# -- sampling -----------------------------------------------------------------------------------
MAX_REDRAWS = 20  # rounds of redrawing rows that copy a real row (exact_copies="redraw")
STREAM_BATCH_ROWS = 100_000  # rows per batch when sampling to a file (sample_to_file)

# Random streams: each constraint draws from its own stream of the user's seed, so that one
# constraint's draws never repeat another's (``draws.sampling_rng``).
STREAM_MISSINGNESS = 1
STREAM_RULE = 2
STREAM_SEQUENCE = 3  # the sequence backbones' draws (one stream per sample call)
STREAM_EXPRESSION = 4  # a declared formula's exceptions (rules.expression)
STREAM_INEQUALITY = 5  # the repairs of rows that break a mined inequality

# -- pillar 5: quality --------------------------------------------------------------------------
OVERALL_WEIGHTS = {"quality": 0.30, "diagnostic": 0.10, "rule_compliance": 0.15,
                   "missingness_fidelity": 0.15, "ml_utility": 0.15, "privacy": 0.15}
GRADES = ((0.9, "excellent"), (0.8, "good"), (0.65, "fair"))  # lowest score for each word
RULE_SHARE_SLACK = 0.005  # a rule's synthetic share this close to its real share reads as kept
HOLDOUT_SHARE = 0.25  # of the real rows, for ML utility when no holdout is given
DCR_ROWS = 2_000  # synthetic rows used for distances to closest records
# Attacks (quality.disclosure): anonymeter's default number of attacks; training and holdout
# rows are cut to one size of at most ATTACK_ROWS, the synthetic rows to ATTACK_SYNTHETIC_ROWS.
ATTACKS = 500
ATTACK_ROWS = 5_000
ATTACK_SYNTHETIC_ROWS = 5_000
MAX_SECRETS = 3  # label columns attacked by attribute inference when none are named
SMALL_CONTROL_ROWS = 1_000  # fewer unseen rows than this make the attack intervals wide (a note)
MIN_ATTACK_ROWS = 50  # fewer training or unseen rows than this and the attacks are not run
# Threads of the evaluation's small OpenMP models (HistGradientBoosting). On a busy 2-core
# machine two OpenMP threads made one 2 s fit take 286 s; one thread is immune to that.
MODEL_THREADS = 1

# DPSynthesizer trains its network on this many torch threads: a small network on thousands
# of rows gains nothing from more, and on a busy machine two threads made each step 10x slower
DP_THREADS = 1
