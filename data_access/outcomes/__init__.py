"""Success measures (outcomes): their stored series, benchmarks, disclosure, trends
and headlines (`trend_views` is the one road for a measure's chart), force areas
compared, and the public series. Import the module you need, e.g.
`from data_access.outcomes import trend_views`."""
