import { Route, Routes } from "react-router-dom";

import PortalHome from "./PortalHome";
import PortalProject from "./PortalProject";
import "./portal.css";

/** The client portal: the only screens a client-role user ever sees (App.tsx routes /portal/*). */
export default function Portal() {
  return (
    <Routes>
      <Route index element={<PortalHome />} />
      <Route path="projects/:projectId" element={<PortalProject />} />
      <Route path="*" element={<PortalHome />} />
    </Routes>
  );
}
