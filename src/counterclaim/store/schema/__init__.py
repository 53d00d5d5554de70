"""Table definitions of the store, one module per pipeline stage, all on one MetaData.

Migrations create these tables; queries use them. Import tables from `counterclaim.store.tables`.
"""

from sqlalchemy import MetaData

metadata = MetaData()
