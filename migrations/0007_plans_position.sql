-- The plan list and the plan API read a page of plans by their place in the portfolio, and
-- the rows that hang off those plans through them: with this index a page starts from its
-- plans instead of reading every rollout, step and milestone of the portfolio.
CREATE INDEX plans_position ON plans (position);
