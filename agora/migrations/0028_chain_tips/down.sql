DROP TABLE chain_tips;
