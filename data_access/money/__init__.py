"""Money: published funding allocations and which one is preferred (`precedence`,
`funding_allocations`), spend (`spending`: the one quarterly reader from
spend_summary), the one forecast outturn (`outturn`, docs/forecast.md), spend by
tier and cost per young person (`tier_costs`) and the interventions the funding
page lists (`funded_interventions`). Import the module you need, e.g.
`from data_access.money import outturn`."""
