"""REST routes by area; each module has one APIRouter mounted under /api/v1 (well_known at root)."""
