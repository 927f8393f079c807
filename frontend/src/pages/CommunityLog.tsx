import type { ComponentType, ReactNode } from "react";
import { Paged, type PageArgs } from "../components/Paged";
import { useCommunity } from "./CommunityPage";

/** What one page of a community's log renders: that page of the list, for the community named. */
export type CommunityLogPage = ComponentType<PageArgs & { community: string }>;

/**
 * A community's record under a heading (its moderation log, its bans): an intro, then the list,
 * one `Page` per loaded cursor, started again when the community changes.
 */
export function CommunityLog({ id, title, intro, Page }: { id: string; title: string; intro: ReactNode; Page: CommunityLogPage }) {
  const community = useCommunity();
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <p className="muted">{intro}</p>
      <ol className="modlog" role="list">
        <Paged resetKey={community.name} page={(p) => <Page community={community.name} {...p} />} />
      </ol>
    </section>
  );
}
