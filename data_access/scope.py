"""Who may read what. Every query that returns restricted data takes a Scope.

Rules (DESIGN.md "Access"):
- admin and analyst read everything;
- a viewer reads the force areas they are scoped to, and those areas' local
  authorities;
- a lead reads their workstream's VRU area and submits that workstream's returns;
- public measures' approved values, the England and Wales benchmark and area names
  are readable by every signed-in user and (with disclosure control) by the public.
The web layer builds a Scope from the signed-in user; it never decides access itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from data_access.errors import AccessDenied


@dataclass(frozen=True)
class Scope:
    role: str  # admin / analyst / viewer / lead / public
    area_codes: frozenset[str] = field(default_factory=frozenset)
    workstream_id: int | None = None
    user_id: int | None = None
    actor: str = "system"  # role title, recorded in the audit log

    @property
    def unrestricted(self) -> bool:
        return self.role in ("admin", "analyst")

    @property
    def is_public(self) -> bool:
        return self.role == "public"

    @property
    def needs_disclosure_control(self) -> bool:
        """Public and scoped users see disclosure-controlled figures."""
        return not self.unrestricted

    def can_read_area(self, area_code: str, parent_code: str | None = None) -> bool:
        if self.unrestricted:
            return True
        if self.is_public:
            return False
        return area_code in self.area_codes or (
            parent_code is not None and parent_code in self.area_codes
        )

    def require_area(self, area_code: str, parent_code: str | None = None) -> None:
        if not self.can_read_area(area_code, parent_code):
            raise AccessDenied(f"your access does not include area {area_code}")

    def require_role(self, *roles: str) -> None:
        if self.role not in roles:
            raise AccessDenied("your role does not allow this")


PUBLIC = Scope(role="public")
SYSTEM = Scope(role="admin", actor="system")
