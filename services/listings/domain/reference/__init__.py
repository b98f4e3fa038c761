"""Reference data and validators for ParkLoop listings (plain Python, no framework).

Each module validates one kind of identifier or quantity that enterprises type into a
listing (waste codes, Unified Social Credit Codes, industry codes, steam states, reclaimed
water categories) and raises ``ValueError`` naming the rule that failed; callers attach the
field name. The tables behind them live in ``data/`` with their source and edition.
"""
