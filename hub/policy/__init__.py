"""The policy layer: the campus's OPA server, the client that asks it, and the catalog push.

Every decision about people and data (who may mount what, what may leave, who may
administer or review) is Rego in policies/, evaluated by the pinned OPA binary. Python asks
and obeys; when OPA cannot answer, the answer is deny (fail closed).
"""
