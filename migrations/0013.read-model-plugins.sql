-- depends: 0012.projection-name-pairs-inlined
-- Read models as plug-ins (issue 17, projections/readmodel.py): each model has its own row in
-- projection_state (its log position, live slot and derivation), and the enterprises a model
-- could not derive are recorded per model. Rows recorded before are the public items model's.
ALTER TABLE projection_failures ADD COLUMN read_model text NOT NULL DEFAULT 'items';
ALTER TABLE projection_failures ALTER COLUMN read_model DROP DEFAULT;
ALTER TABLE projection_failures DROP CONSTRAINT projection_failures_pkey;
ALTER TABLE projection_failures ADD PRIMARY KEY (read_model, uscc, position);
