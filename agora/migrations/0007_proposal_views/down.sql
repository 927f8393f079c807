DROP VIEW proposal_views;
